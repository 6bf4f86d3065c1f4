#include "verse/service.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <charconv>
#include <set>
#include <stdexcept>

#include "verse/render.hpp"
#include "verse/templates.hpp"

namespace beacon::verse {

using core::Error;
using core::Result;

namespace {

std::string Base64Url(const unsigned char* data, std::size_t n) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
    return out;
}

std::string RandomText(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
        throw std::runtime_error("no random bytes from OpenSSL");
    }
    return Base64Url(buf.data(), buf.size());
}

std::optional<std::int64_t> ParseId(std::string_view s) {
    std::int64_t v = 0;
    if (s.empty() || s.size() > 18) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
    return v;
}

bool IsHash(std::string_view s) {
    if (s.size() != 64) return false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

Json AssetJson(const AssetRow& a) {
    Json j = {{"hash", a.info.hash},
              {"kind", a.info.kind},
              {"mime", a.info.mime},
              {"size", a.info.size},
              {"name", a.name},
              {"created_at", a.created_at}};
    if (a.info.kind == "model") {
        j["triangles"] = a.info.triangles;
        j["materials"] = a.info.materials;
    } else {
        j["width"] = a.info.width;
        j["height"] = a.info.height;
    }
    j["texture_bytes"] = a.info.texture_bytes;
    return j;
}

Json WorldSummary(const WorldRow& w) {
    return {{"id", w.id},
            {"title", w.title},
            {"revision", w.revision},
            {"created_at", w.created_at},
            {"updated_at", w.updated_at}};
}

std::string CleanName(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
        if (out.size() >= 200) break;
    }
    return out;
}

}  // namespace

std::string AssetKey(std::string_view hash, std::string_view mime) {
    return "verse/assets/" + std::string(hash) + "." + std::string(ExtensionFor(mime));
}

VerseService::VerseService(WorldStore& store, storage::ObjectStore& objects, VerseOptions options)
    : store_(store), objects_(objects), options_(options) {
    auto secret = store_.Meta("share_secret", [] { return RandomText(32); });
    if (!secret.ok()) throw std::runtime_error("verse: " + secret.error().message);
    secret_ = *secret;
}

Json VerseService::TemplateList() {
    Json out = Json::array();
    for (const auto& t : Templates()) {
        out.push_back({{"id", t.id}, {"title", t.title}, {"description", t.description}});
    }
    return out;
}

Result<WorldRow> VerseService::Owned(std::int64_t owner, std::int64_t id) {
    auto w = store_.Get(id);
    if (!w.ok()) return w.error();
    if (w->owner_id != owner) return Error::NotFound("no world " + std::to_string(id));
    return w;
}

AssetLookup VerseService::LookupFor(std::int64_t world) {
    return [this, world](std::string_view hash) -> std::optional<AssetCost> {
        auto a = store_.Asset(world, std::string(hash));
        if (!a.ok() || !*a) return std::nullopt;
        const AssetInfo& i = (*a)->info;
        return AssetCost{i.kind, i.triangles, i.materials, i.texture_bytes};
    };
}

Result<Json> VerseService::WorldJson(const WorldRow& w, const std::string& document) {
    auto doc = Json::parse(document, nullptr, false);
    if (doc.is_discarded()) return Error::Internal("world " + std::to_string(w.id) + ": stored document is broken");
    // Stored documents are current, but an older build's revision is migrated on the way out.
    BEACON_TRY(checked, CheckDocument(doc, LookupFor(w.id), options_.document));
    Json out = WorldSummary(w);
    out["document"] = std::move(checked.document);
    out["budget"] = BudgetJson(checked.budget, options_.share_budgets);
    return out;
}

Result<Json> VerseService::CreateWorld(std::int64_t owner, std::string_view title,
                                       std::string_view template_id) {
    std::string clean = CleanName(title);
    if (clean.empty()) clean = "Untitled world";
    BEACON_TRY(doc, MakeTemplate(template_id.empty() ? "empty-stage" : template_id, clean));
    BEACON_TRY(checked, CheckDocument(doc, LookupFor(0), options_.document));
    BEACON_TRY(w, store_.Create(owner, clean, checked.canonical,
                                static_cast<std::int64_t>(checked.budget.nodes),
                                "created from " + std::string(template_id.empty() ? "empty-stage" : template_id),
                                core::NowMillis()));
    Json out = WorldSummary(w);
    out["document"] = std::move(checked.document);
    out["budget"] = BudgetJson(checked.budget, options_.share_budgets);
    return out;
}

Result<Json> VerseService::ListWorlds(std::int64_t owner) {
    BEACON_TRY(rows, store_.List(owner));
    Json items = Json::array();
    for (const auto& w : rows) items.push_back(WorldSummary(w));
    return Json{{"items", items}};
}

Result<Json> VerseService::GetWorld(std::int64_t owner, std::int64_t id) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(doc, store_.Document(id, w.revision));
    return WorldJson(w, doc);
}

Result<Json> VerseService::SaveWorld(std::int64_t owner, std::int64_t id,
                                     std::int64_t expected_revision, const Json& document) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(checked, CheckDocument(document, LookupFor(id), options_.document));
    BEACON_TRY(saved, store_.Save(id, expected_revision, checked.document["title"].get<std::string>(),
                                  checked.canonical, static_cast<std::int64_t>(checked.budget.nodes),
                                  "saved", core::NowMillis(), options_.keep_revisions));
    Json out = WorldSummary(saved);
    out["budget"] = BudgetJson(checked.budget, options_.share_budgets);
    return out;
}

Result<std::pair<std::string, GlbExport>> VerseService::ExportWorld(std::int64_t owner, std::int64_t id) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(text, store_.Document(id, w.revision));
    BEACON_TRY(checked, CheckDocument(std::string_view(text), LookupFor(id), options_.document));
    // Models are merged in from the object store; only this world's assets can be named.
    AssetBytes bytes = [this, id](const std::string& hash) -> Result<std::string> {
        BEACON_TRY(row, store_.Asset(id, hash));
        if (!row) return Error::NotFound("world " + std::to_string(id) + " has no asset " + hash);
        return objects_.Get(AssetKey(row->info.hash, row->info.mime));
    };
    ExportLimits limits;
    limits.assets = options_.assets;
    BEACON_TRY(glb, ExportGlb(checked.document, bytes, limits));
    return std::pair{w.title, std::move(glb)};
}

core::Status VerseService::DeleteWorld(std::int64_t owner, std::int64_t id) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(orphans, store_.Delete(w.id));
    for (const auto& a : orphans) (void)objects_.Delete(AssetKey(a.info.hash, a.info.mime));
    return {};
}

Result<Json> VerseService::ListRevisions(std::int64_t owner, std::int64_t id) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(rows, store_.Revisions(w.id));
    Json items = Json::array();
    for (const auto& r : rows) {
        items.push_back({{"revision", r.revision},
                         {"created_at", r.created_at},
                         {"size", r.size},
                         {"nodes", r.nodes},
                         {"note", r.note},
                         {"current", r.revision == w.revision}});
    }
    return Json{{"items", items}, {"revision", w.revision}};
}

Result<Json> VerseService::GetRevision(std::int64_t owner, std::int64_t id, std::int64_t revision) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(doc, store_.Document(id, revision));
    BEACON_TRY(out, WorldJson(w, doc));
    out["revision"] = revision;
    out["current_revision"] = w.revision;
    return out;
}

Result<Json> VerseService::RestoreRevision(std::int64_t owner, std::int64_t id, std::int64_t revision) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(text, store_.Document(id, revision));
    BEACON_TRY(checked, CheckDocument(std::string_view(text), LookupFor(id), options_.document));
    BEACON_TRY(saved, store_.Save(id, w.revision, checked.document["title"].get<std::string>(),
                                  checked.canonical, static_cast<std::int64_t>(checked.budget.nodes),
                                  "restored revision " + std::to_string(revision), core::NowMillis(),
                                  options_.keep_revisions));
    Json out = WorldSummary(saved);
    out["document"] = std::move(checked.document);
    out["budget"] = BudgetJson(checked.budget, options_.share_budgets);
    return out;
}

Result<Json> VerseService::UploadAsset(std::int64_t owner, std::int64_t id, std::string_view bytes,
                                       std::string_view mime, std::string_view name) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(existing, store_.Assets(w.id));
    if (existing.size() >= options_.max_assets_per_world) {
        return Error::Conflict("world " + std::to_string(id) + " already has " +
                               std::to_string(existing.size()) + " assets");
    }
    BEACON_TRY(info, InspectAsset(bytes, mime, options_.assets));
    std::string key = AssetKey(info.hash, info.mime);
    bool bytes_new = !objects_.Exists(key);
    if (bytes_new) BEACON_CHECK(objects_.Put(key, bytes));
    AssetRow row{info, CleanName(name), core::NowMillis()};
    BEACON_TRY(added, store_.AddAsset(w.id, row));
    if (!added) {
        BEACON_TRY(prior, store_.Asset(w.id, info.hash));
        if (prior) row = *prior;
    }
    Json out = AssetJson(row);
    out["stored"] = bytes_new ? "new" : "existing";
    out["url"] = "/api/v1/worlds/" + std::to_string(id) + "/assets/" + info.hash;
    return out;
}

Result<Json> VerseService::ListAssets(std::int64_t owner, std::int64_t id) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(rows, store_.Assets(w.id));
    Json items = Json::array();
    for (const auto& a : rows) items.push_back(AssetJson(a));
    return Json{{"items", items}};
}

Result<AssetFile> VerseService::AssetOf(std::int64_t world, std::string_view hash) {
    if (!IsHash(hash)) return Error::NotFound("no such asset");
    BEACON_TRY(row, store_.Asset(world, std::string(hash)));
    if (!row) return Error::NotFound("no such asset");
    AssetFile f;
    f.key = AssetKey(row->info.hash, row->info.mime);
    f.mime = row->info.mime;
    f.local_path = objects_.LocalPath(f.key);
    return f;
}

Result<AssetFile> VerseService::Asset(std::int64_t owner, std::int64_t id, std::string_view hash) {
    BEACON_TRY(w, Owned(owner, id));
    return AssetOf(w.id, hash);
}

Result<Json> VerseService::PinForVideo(std::int64_t owner, const Json& body) {
    const Json id_field = body.value("world_id", Json());
    if (!id_field.is_number_integer() || id_field.get<std::int64_t>() <= 0) {
        return Error::Invalid("field 'world_id' must be a world's id (a positive integer)");
    }
    const std::int64_t id = id_field.get<std::int64_t>();
    const Json camera = body.value("world_camera", Json());
    auto w = Owned(owner, id);
    if (!w.ok()) {
        if (w.error().code == core::ErrorCode::kNotFound) {
            return Error::NotFound("world " + std::to_string(id) + " not found (field 'world_id')");
        }
        return w.error();
    }
    BEACON_TRY(spec, CheckCameraSpec(camera));
    return Json{{"id", w->id}, {"owner", owner}, {"revision", w->revision}, {"title", w->title},
                {"camera", spec}};
}

Result<VerseService::RenderSource> VerseService::RenderSourceOf(std::int64_t owner, std::int64_t id,
                                                                std::int64_t revision) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(text, store_.Document(id, revision));
    BEACON_TRY(checked, CheckDocument(std::string_view(text), LookupFor(w.id), options_.document));
    RenderSource out;
    out.document = std::move(checked.document);
    std::set<std::string> seen;
    auto add = [&](const std::string& hash) -> core::Status {
        if (hash.empty() || !seen.insert(hash).second) return {};
        BEACON_TRY(row, store_.Asset(w.id, hash));
        if (!row) return Error::NotFound("world " + std::to_string(id) + ": asset " + hash + " is gone");
        BEACON_TRY(bytes, objects_.Get(AssetKey(row->info.hash, row->info.mime)));
        out.assets.emplace_back(hash, row->info.mime, std::move(bytes));
        return {};
    };
    for (const auto& n : out.document.value("nodes", Json::array())) {
        if (n.contains("asset") && n["asset"].is_string()) BEACON_CHECK(add(n["asset"].get<std::string>()));
    }
    for (const auto& [_, m] : out.document.value("materials", Json::object()).items()) {
        if (m.contains("map") && m["map"].is_string()) BEACON_CHECK(add(m["map"].get<std::string>()));
    }
    return out;
}

std::string VerseService::Sign(std::string_view payload) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &len);
    return Base64Url(mac, len);
}

Result<Json> VerseService::CreateShare(std::int64_t owner, std::int64_t id) {
    BEACON_TRY(world, GetWorld(owner, id));
    // The row keeps the hash of the token's secret part; the MAC binds world and share ids.
    std::string nonce = RandomText(24);
    BEACON_TRY(share, store_.AddShare(id, Sha256Hex(nonce), core::NowMillis()));
    // '~' separates the parts: unreserved in URLs, outside base64url, and not a '.' (a viewer
    // path ending in "x.y" would be taken for a file by the web UI's fallback).
    std::string payload = "v1~" + std::to_string(id) + "~" + std::to_string(share) + "~" + nonce;
    std::string token = payload + "~" + Sign(payload);
    return Json{{"id", share},
                {"token", token},
                {"path", "/verse/view/" + token},
                {"budget", world["budget"]}};
}

Result<Json> VerseService::ListShares(std::int64_t owner, std::int64_t id) {
    BEACON_TRY(w, Owned(owner, id));
    BEACON_TRY(rows, store_.Shares(w.id));
    Json items = Json::array();
    for (const auto& s : rows) {
        items.push_back({{"id", s.id},
                         {"created_at", s.created_at},
                         {"revoked", s.revoked_at != 0},
                         {"revoked_at", s.revoked_at}});
    }
    return Json{{"items", items}};
}

core::Status VerseService::RevokeShare(std::int64_t owner, std::int64_t id, std::int64_t share) {
    BEACON_TRY(w, Owned(owner, id));
    return store_.RevokeShare(w.id, share, core::NowMillis());
}

Result<std::int64_t> VerseService::WorldOfToken(std::string_view token) {
    const Error denied = Error::NotFound("this share link does not open anything (revoked or wrong)");
    if (token.size() > 200) return denied;
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (parts.size() < 6) {
        std::size_t dot = token.find('~', start);
        parts.push_back(
            token.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    if (parts.size() != 5 || parts[0] != "v1") return denied;
    auto world = ParseId(parts[1]);
    auto share = ParseId(parts[2]);
    if (!world || !share) return denied;
    std::string payload(token.substr(0, token.size() - parts[4].size() - 1));
    std::string mac = Sign(payload);
    if (mac.size() != parts[4].size() ||
        CRYPTO_memcmp(mac.data(), parts[4].data(), mac.size()) != 0) {
        return denied;
    }
    BEACON_TRY(row, store_.Share(*share));
    if (!row || row->world_id != *world || row->revoked_at != 0) return denied;
    std::string hash = Sha256Hex(parts[3]);
    if (CRYPTO_memcmp(hash.data(), row->token_hash.data(), std::min(hash.size(), row->token_hash.size())) != 0 ||
        hash.size() != row->token_hash.size()) {
        return denied;
    }
    return *world;
}

Result<Json> VerseService::SharedWorld(std::string_view token) {
    BEACON_TRY(id, WorldOfToken(token));
    BEACON_TRY(w, store_.Get(id));
    BEACON_TRY(doc, store_.Document(id, w.revision));
    BEACON_TRY(out, WorldJson(w, doc));
    out.erase("created_at");
    out["read_only"] = true;
    return out;
}

Result<AssetFile> VerseService::SharedAsset(std::string_view token, std::string_view hash) {
    BEACON_TRY(id, WorldOfToken(token));
    return AssetOf(id, hash);
}

}  // namespace beacon::verse
