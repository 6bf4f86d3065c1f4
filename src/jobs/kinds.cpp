#include "jobs/kinds.hpp"

namespace beacon::jobs {

void KindDispatch::Register(core::JobKind kind, JobDefinition& definition) {
    kinds_[kind] = &definition;
}

std::vector<Stage> KindDispatch::StagesFor(const core::Job& job) {
    auto it = kinds_.find(job.kind);
    if (it != kinds_.end()) return it->second->StagesFor(job);
    std::string known;
    for (const auto& [k, d] : kinds_)
        known += (known.empty() ? "" : ", ") + std::string(ToString(k));
    const std::string kind(ToString(job.kind));
    return {Stage{"unknown_kind", core::JobState::kQueued, 0, 100,
                  [kind, known](StageContext&) -> core::Result<core::Json> {
                      return core::Error::Invalid("no worker here runs jobs of kind '" + kind +
                                                  "' (known: " + known + ")");
                  }}};
}

void KindDispatch::Release(const core::Job& job) {
    auto it = kinds_.find(job.kind);
    if (it != kinds_.end()) it->second->Release(job);
}

}  // namespace beacon::jobs
