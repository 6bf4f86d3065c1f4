#include "arcade/multipart.hpp"

#include <algorithm>
#include <cctype>

namespace beacon::arcade {

using core::Error;

namespace {

std::string Lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

/// The value of parameter `key` in a header like `form-data; name="file"; filename="a.zip"`.
std::optional<std::string> Param(std::string_view header, std::string_view key) {
    std::size_t pos = 0;
    while (pos < header.size()) {
        auto semi = header.find(';', pos);
        if (semi == std::string_view::npos) semi = header.size();
        auto item = Trim(header.substr(pos, semi - pos));
        pos = semi + 1;
        auto eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        if (Lower(Trim(item.substr(0, eq))) != key) continue;
        auto value = Trim(item.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"') {
            std::string out;
            for (std::size_t i = 1; i < value.size() && value[i] != '"'; ++i) {
                if (value[i] == '\\' && i + 1 < value.size()) ++i;
                out += value[i];
            }
            return out;
        }
        return std::string(value);
    }
    return std::nullopt;
}

}  // namespace

core::Result<std::string> MultipartBoundary(std::string_view content_type) {
    if (Lower(content_type).rfind("multipart/form-data", 0) != 0) {
        return Error::Invalid("send the game as multipart/form-data (field 'file')");
    }
    auto b = Param(content_type, "boundary");
    if (!b || b->empty() || b->size() > 200) return Error::Invalid("multipart body without a boundary");
    return *b;
}

core::Result<std::vector<FormPart>> ParseMultipart(std::string_view body, std::string_view boundary) {
    const std::string delimiter = "--" + std::string(boundary);
    std::vector<FormPart> parts;
    auto pos = body.find(delimiter);
    if (pos == std::string_view::npos) return Error::Invalid("multipart body has no parts");
    pos += delimiter.size();
    const std::string next_delimiter = "\r\n" + delimiter;
    for (;;) {
        if (body.substr(pos, 2) == "--") return parts;  // the closing boundary
        if (body.substr(pos, 2) != "\r\n") return Error::Invalid("malformed multipart body");
        pos += 2;
        auto headers_end = body.find("\r\n\r\n", pos);
        if (headers_end == std::string_view::npos) return Error::Invalid("malformed multipart part headers");
        FormPart part;
        bool named = false;
        std::string_view headers = body.substr(pos, headers_end - pos);
        while (!headers.empty()) {
            auto eol = headers.find("\r\n");
            auto line = headers.substr(0, eol);
            headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
            auto colon = line.find(':');
            if (colon == std::string_view::npos) continue;
            auto key = Lower(Trim(line.substr(0, colon)));
            auto value = Trim(line.substr(colon + 1));
            if (key == "content-disposition") {
                if (auto n = Param(value, "name")) {
                    part.name = *n;
                    named = true;
                }
                part.filename = Param(value, "filename");
            } else if (key == "content-type") {
                part.content_type = std::string(value);
            }
        }
        if (!named) return Error::Invalid("a multipart part has no name");
        auto data_start = headers_end + 4;
        auto end = body.find(next_delimiter, data_start);
        if (end == std::string_view::npos) {
            return Error::Invalid("multipart body ends early (the upload was cut short?)");
        }
        part.data = body.substr(data_start, end - data_start);
        parts.push_back(std::move(part));
        pos = end + next_delimiter.size();
    }
}

const FormPart* FindPart(const std::vector<FormPart>& parts, std::string_view name) {
    for (const auto& p : parts) {
        if (p.name == name) return &p;
    }
    return nullptr;
}

}  // namespace beacon::arcade
