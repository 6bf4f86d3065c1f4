#include "server/api.hpp"
/// Channels (playlists): schedules, inserts and what is playing now.


#include <algorithm>
#include <ctime>
#include <regex>
#include <set>

#include "jobs/event_bus.hpp"
#include "server/api_validation.hpp"
#include "server/http_util.hpp"
#include "storage/database.hpp"

namespace beacon::server {

using core::Json;
using namespace api_detail;

namespace {

bool ValidSlug(const std::string& s) {
    static const std::regex kSlug("^[a-z0-9-]{1,40}$");
    return std::regex_match(s, kSlug);
}

std::string Slugify(const std::string& title) {
    std::string out;
    for (unsigned char c : title) {
        if (std::isalnum(c) && c < 128) {
            out += static_cast<char>(std::tolower(c));
        } else if (!out.empty() && out.back() != '-') {
            out += '-';
        }
        if (out.size() >= 32) break;
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    return out.empty() ? "channel" : out;
}

/// RFC 3339 → Unix milliseconds.
std::optional<core::UnixMillis> ParseRfc3339(const std::string& s) {
    static const std::regex kRe(
        R"(^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$)");
    std::smatch m;
    if (!std::regex_match(s, m, kRe)) return std::nullopt;
    std::tm tm{};
    tm.tm_year = std::stoi(m[1]) - 1900;
    tm.tm_mon = std::stoi(m[2]) - 1;
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
    if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
        tm.tm_min > 59 || tm.tm_sec > 60) {
        return std::nullopt;
    }
    std::int64_t secs = timegm(&tm);
    std::int64_t ms = 0;
    if (m[8].matched) {
        std::string frac = m[8].str();
        frac.resize(3, '0');
        ms = std::stoi(frac.substr(0, 3));
    }
    if (m[10].matched) {
        int off = std::stoi(m[11]) * 3600 + std::stoi(m[12]) * 60;
        secs -= m[10] == "+" ? off : -off;
    }
    return secs * 1000 + ms;
}

/// Validates scheduled_slots and returns them normalised.
/// Follows playlist slots from `start` through the stored schedules; true when they lead back to
/// `self` (a channel that would play itself forever).
bool SlotsLeadBackTo(storage::ChannelStore& db, std::int64_t start, std::int64_t self) {
    std::set<std::int64_t> seen;
    std::vector<std::int64_t> todo{start};
    while (!todo.empty() && seen.size() < 10000) {
        std::int64_t id = todo.back();
        todo.pop_back();
        if (id == self) return true;
        if (!seen.insert(id).second) continue;
        auto p = db.GetPlaylist(id);
        if (!p.ok() || !p->scheduled_slots.is_array()) continue;
        for (const auto& s : p->scheduled_slots) {
            if (s.is_object() && s.contains("playlist_id") && s["playlist_id"].is_number_integer()) {
                todo.push_back(s["playlist_id"].get<std::int64_t>());
            }
        }
    }
    return false;
}

/// `self_id`: the playlist whose slots these are (slots that lead back to it are refused).
core::Result<Json> ValidateSlots(storage::ContentStore& content, storage::ChannelStore& db,
                                 const Json& slots, std::int64_t self_id) {
    if (!slots.is_array()) return core::Error::Invalid("field 'scheduled_slots' must be an array");
    if (slots.size() > 500) return core::Error::Invalid("field 'scheduled_slots' holds more than 500 slots");
    static const std::regex kTime("^([01][0-9]|2[0-3]):[0-5][0-9]$");
    Json out = Json::array();
    int n = 0;
    for (const auto& slot : slots) {
        ++n;
        std::string where = "scheduled_slots[" + std::to_string(n - 1) + "]: ";
        if (!slot.is_object()) return core::Error::Invalid(where + "must be an object");
        for (const auto& [k, _] : slot.items()) {
            if (k != "time" && k != "days" && k != "content_id" && k != "playlist_id") {
                return core::Error::Invalid(where + "unknown field '" + k + "'");
            }
        }
        Json norm = Json::object();
        auto time = slot.find("time");
        if (time == slot.end() || !time->is_string() ||
            !std::regex_match(time->get<std::string>(), kTime)) {
            return core::Error::Invalid(where + "'time' must be \"HH:MM\" (24-hour)");
        }
        norm["time"] = *time;
        auto days = slot.find("days");
        if (days == slot.end()) {
            return core::Error::Invalid(where + "'days' is required (\"daily\" or [0-6...])");
        }
        if (days->is_string()) {
            if (*days != "daily") {
                return core::Error::Invalid(where + "'days' must be \"daily\" or an array of 0-6");
            }
            norm["days"] = "daily";
        } else if (days->is_array()) {
            std::set<int> set;
            for (const auto& d : *days) {
                // Compared at full width: 4294967296 must not wrap to 0 (Sunday).
                bool in_range = (d.is_number_unsigned() && d.get<std::uint64_t>() <= 6) ||
                                (d.is_number_integer() && !d.is_number_unsigned() &&
                                 d.get<std::int64_t>() >= 0 && d.get<std::int64_t>() <= 6);
                if (!in_range) {
                    return core::Error::Invalid(where + "'days' entries must be integers 0 (Sunday) to 6");
                }
                set.insert(static_cast<int>(d.get<std::int64_t>()));
            }
            if (set.empty()) return core::Error::Invalid(where + "'days' must not be empty");
            norm["days"] = Json(std::vector<int>(set.begin(), set.end()));
        } else {
            return core::Error::Invalid(where + "'days' must be \"daily\" or an array of 0-6");
        }
        bool has_content = slot.contains("content_id");
        bool has_playlist = slot.contains("playlist_id");
        if (has_content == has_playlist) {
            return core::Error::Invalid(where + "give exactly one of 'content_id' and 'playlist_id'");
        }
        if (has_content) {
            BEACON_TRY(id, IdField(slot, "content_id", true));
            auto c = content.GetContent(id);
            if (!c.ok()) {
                if (c.error().code == core::ErrorCode::kNotFound) {
                    return core::Error::Invalid(where + "content " + std::to_string(id) + " does not exist");
                }
                return c.error();
            }
            norm["content_id"] = id;
        } else {
            BEACON_TRY(id, IdField(slot, "playlist_id", true));
            auto p = db.GetPlaylist(id);
            if (!p.ok()) {
                if (p.error().code == core::ErrorCode::kNotFound) {
                    return core::Error::Invalid(where + "playlist " + std::to_string(id) + " does not exist");
                }
                return p.error();
            }
            if (SlotsLeadBackTo(db, id, self_id)) {
                return core::Error::Invalid(
                    where + "playlist " + std::to_string(id) +
                    (id == self_id ? " is this channel itself"
                                   : "'s schedule leads back to this channel") +
                    ": a channel cannot schedule itself (cycle)");
            }
            norm["playlist_id"] = id;
        }
        out.push_back(std::move(norm));
    }
    return out;
}

}  // namespace

// ---- playlists -------------------------------------------------------------------------------

void Api::PlaylistChanged(const core::Playlist& p) {
    deps_.events.Publish(jobs::EventType::kPlaylistUpdated, core::ToJson(p));
    if (deps_.playlist_changed) deps_.playlist_changed(p.id);
}

Reply Api::ListPlaylists(Request&) {
    auto list = deps_.db.ListPlaylists();
    if (!list.ok()) return Error(list.error());
    core::Json items = core::Json::array();
    for (const auto& p : *list) items.push_back(core::ToJson(p));
    return Json(200, {{"items", items}});
}

Reply Api::CreatePlaylist(Request& req) {
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"title", "slug"}); !s.ok()) return Error(s.error());
    auto title = OptString(*body, "title", 1, core::kMaxTitleChars);
    if (!title.ok()) return Error(title.error());
    if (!*title) return Error(400, "invalid_argument", "field 'title' is required");
    auto slug = OptString(*body, "slug", 0, 64);
    if (!slug.ok()) return Error(slug.error());
    core::Playlist p;
    p.title = **title;
    if (*slug) {
        if (!ValidSlug(**slug)) {
            return Error(400, "invalid_argument", "field 'slug' must match [a-z0-9-]{1,40}");
        }
        p.slug = **slug;
        auto existing = deps_.db.GetPlaylistBySlug(p.slug);
        if (existing.ok()) return Error(409, "conflict", "a channel with slug '" + p.slug + "' exists");
    } else {
        std::string base = Slugify(p.title);
        p.slug = base;
        for (int i = 2; deps_.db.GetPlaylistBySlug(p.slug).ok(); ++i) {
            if (i > 1000) return Error(409, "conflict", "no free slug for this title; give one");
            p.slug = base + "-" + std::to_string(i);
        }
    }
    p.hls_endpoint = "/live/" + p.slug + "/index.m3u8";
    auto created = deps_.db.CreatePlaylist(p);
    if (!created.ok()) return Error(created.error());
    PlaylistChanged(*created);
    return Json(201, core::ToJson(*created));
}

Reply Api::GetPlaylist(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    return Json(200, core::ToJson(*p));
}

Reply Api::PatchPlaylist(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"title", "slug", "items", "loop_mode", "active", "scheduled_slots",
                                    "confirm"});
        !s.ok()) {
        return Error(s.error());
    }
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    auto title = OptString(*body, "title", 1, core::kMaxTitleChars);
    if (!title.ok()) return Error(title.error());
    if (*title) p->title = **title;
    auto slug = OptString(*body, "slug", 0, 64);
    if (!slug.ok()) return Error(slug.error());
    if (*slug && **slug != p->slug) {
        if (!ValidSlug(**slug)) {
            return Error(400, "invalid_argument", "field 'slug' must match [a-z0-9-]{1,40}");
        }
        if (deps_.db.GetPlaylistBySlug(**slug).ok()) {
            return Error(409, "conflict", "a channel with slug '" + **slug + "' exists");
        }
        p->slug = **slug;
        p->hls_endpoint = "/live/" + p->slug + "/index.m3u8";
    }
    std::vector<std::int64_t> added_items;  // for the moderation audit log
    // What this channel could already air (items and content slots): only new ids are asked.
    std::set<std::int64_t> on_air_before(p->items.begin(), p->items.end());
    for (const auto& s : p->scheduled_slots) {
        if (s.is_object() && s.contains("content_id") && s["content_id"].is_number_integer()) {
            on_air_before.insert(s["content_id"].get<std::int64_t>());
        }
    }
    if (auto it = body->find("items"); it != body->end()) {
        if (!it->is_array()) return Error(400, "invalid_argument", "field 'items' must be an array of content ids");
        if (it->size() > 10000) return Error(400, "invalid_argument", "field 'items' holds more than 10000 ids");
        std::vector<std::int64_t> items;
        for (const auto& v : *it) {
            if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) {
                return Error(400, "invalid_argument", "field 'items' must hold positive integer content ids");
            }
            std::int64_t cid = v.get<std::int64_t>();
            auto c = deps_.db.GetContent(cid);
            if (!c.ok()) {
                if (c.error().code == core::ErrorCode::kNotFound) {
                    return Error(400, "invalid_argument",
                                 "field 'items': content " + std::to_string(cid) + " does not exist");
                }
                return Error(c.error());
            }
            bool added = std::find(p->items.begin(), p->items.end(), cid) == p->items.end();
            if (deps_.moderation && added) {  // flagged, or never reviewed without "confirm"
                if (auto no = deps_.moderation(req, "publish", cid, false)) return std::move(*no);
            }
            if (added) added_items.push_back(cid);
            items.push_back(cid);
        }
        p->items = std::move(items);
    }
    auto mode = OptString(*body, "loop_mode", 0, 16);
    if (!mode.ok()) return Error(mode.error());
    if (*mode) {
        auto parsed = core::ParseLoopMode(**mode);
        if (!parsed.ok()) {
            return Error(400, "invalid_argument", "field 'loop_mode' must be in_order or shuffle");
        }
        p->loop_mode = *parsed;
    }
    auto active = OptBool(*body, "active");
    if (!active.ok()) return Error(active.error());
    if (*active) p->active = **active;
    if (auto it = body->find("scheduled_slots"); it != body->end()) {
        auto slots = ValidateSlots(deps_.db, deps_.db, *it, *id);
        if (!slots.ok()) return Error(slots.error());
        // A content slot airs its item on LiveLoop: the same question as adding it to `items`.
        for (const auto& s : *slots) {
            if (!s.contains("content_id")) continue;
            std::int64_t cid = s["content_id"].get<std::int64_t>();
            if (on_air_before.count(cid) > 0 ||
                std::find(added_items.begin(), added_items.end(), cid) != added_items.end()) {
                continue;
            }
            if (deps_.moderation) {  // flagged, or never reviewed without "confirm": 409
                if (auto no = deps_.moderation(req, "publish", cid, false)) return std::move(*no);
            }
            added_items.push_back(cid);
        }
        p->scheduled_slots = std::move(*slots);
    }
    if (auto s = deps_.db.UpdatePlaylist(*p); !s.ok()) return Error(s.error());
    for (auto cid : added_items) {
        if (deps_.moderation) deps_.moderation(req, "publish", cid, true);
    }
    auto fresh = deps_.db.GetPlaylist(*id);
    if (!fresh.ok()) return Error(fresh.error());
    PlaylistChanged(*fresh);
    return Json(200, core::ToJson(*fresh));
}

Reply Api::DeletePlaylist(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    if (auto s = deps_.db.DeletePlaylist(*id); !s.ok()) return Error(s.error());
    deps_.events.Publish(jobs::EventType::kPlaylistUpdated, {{"id", *id}, {"deleted", true}});
    if (deps_.playlist_changed) deps_.playlist_changed(*id);
    Reply r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

Reply Api::InsertIntoPlaylist(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto body = BodyObject(req);
    if (!body.ok()) return Error(body.error());
    if (auto s = OnlyFields(*body, {"content_id", "at", "confirm"}); !s.ok()) return Error(s.error());
    auto cid = IdField(*body, "content_id", true);
    if (!cid.ok()) return Error(cid.error());
    auto at = OptString(*body, "at", 1, 64);
    if (!at.ok()) return Error(at.error());
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    auto c = deps_.db.GetContent(*cid);
    if (!c.ok()) {
        if (c.error().code == core::ErrorCode::kNotFound) {
            return Error(400, "invalid_argument", "content " + std::to_string(*cid) + " does not exist");
        }
        return Error(c.error());
    }
    if (deps_.moderation) {  // flagged, or never reviewed without "confirm": 409
        if (auto no = deps_.moderation(req, "publish", *cid, false)) return std::move(*no);
    }
    core::UnixMillis now = core::NowMillis();
    core::Json insert = {{"id", RandomToken(9)},
                         {"content_id", *cid},
                         {"created_at", core::FormatTimestamp(now)}};
    if (!*at || **at == "next") {
        insert["at"] = "next";
    } else {
        auto when = ParseRfc3339(**at);
        if (!when) {
            return Error(400, "invalid_argument",
                         "field 'at' must be \"next\" or an RFC 3339 time such as 2026-11-29T21:00:00Z");
        }
        if (*when < now - 60'000) return Error(400, "invalid_argument", "field 'at' is in the past");
        insert["at"] = core::FormatTimestamp(*when);
        insert["at_ms"] = *when;
    }
    if (!p->inserts.is_array()) p->inserts = core::Json::array();
    if (p->inserts.size() >= 1000) return Error(409, "conflict", "the channel already holds 1000 inserts");
    p->inserts.push_back(std::move(insert));
    if (auto s = deps_.db.UpdatePlaylist(*p); !s.ok()) return Error(s.error());
    if (deps_.moderation) deps_.moderation(req, "publish", *cid, true);
    auto fresh = deps_.db.GetPlaylist(*id);
    if (!fresh.ok()) return Error(fresh.error());
    PlaylistChanged(*fresh);
    core::Json out = core::ToJson(*fresh);
    // When the insert will air: its first place in the channel's schedule from now on.
    if (deps_.channel_now && fresh->active) {
        auto now_next = deps_.channel_now(*id);
        if (now_next.ok()) {
            for (const auto& n : (*now_next)["next"]) {
                if (n.value("content_id", std::int64_t{0}) == *cid) {
                    out["airs_at"] = n.value("start", std::string());
                    break;
                }
            }
        }
    }
    return Json(200, out);
}

Reply Api::PlaylistNow(Request& req) {
    auto id = PathId(req);
    if (!id.ok()) return Error(id.error());
    auto p = deps_.db.GetPlaylist(*id);
    if (!p.ok()) return Error(p.error());
    if (!deps_.channel_now) return Error(503, "unavailable", "LiveLoop is not running in this server");
    auto now = deps_.channel_now(*id);
    if (!now.ok()) return Error(now.error());
    return Json(200, *now);
}

}  // namespace beacon::server
