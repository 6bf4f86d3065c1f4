#pragma once
/// `beacon import FILE...`: each file is probed (what is not audio or video is refused with
/// ffprobe's reason), then imported by an import job run here, with a progress bar per file.
#include <string>
#include <vector>

#include "app/commands.hpp"

namespace beacon::app {

struct ImportOptions {
    std::vector<std::string> files;
    std::string title;     // only with one file; default the file name
    std::string language;  // spoken language (default en)
    bool json = false;     // one JSON object per line instead of a bar
};
/// Exit status 0 when every file became a library item; 2 for a file that is not media.
int ImportFiles(const CommonOptions& common, const ImportOptions& options);

}  // namespace beacon::app
