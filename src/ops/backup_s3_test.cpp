// Backups to and from S3 against a real S3-compatible server (s3rver, SigV4 checked), started
// once by this binary; s3cmd (Debian) reads back what a backup wrote.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>

#include "core/hash.hpp"
#include "core/model.hpp"
#include "ops/backup.hpp"
#include "ops/test_support.hpp"
#include "storage/database.hpp"
#include "storage/s3_store.hpp"
#include "support/s3_server.hpp"

namespace beacon::ops {
namespace {

namespace fs = std::filesystem;
using ::beacon::testing::S3Server;
using testing::TempDir;

core::Result<S3Server*> SharedS3() {
    static std::unique_ptr<S3Server> server;
    static std::string failure;
    if (!server && failure.empty()) {
        auto s = S3Server::Start(BEACON_SOURCE_DIR);
        if (s.ok()) {
            server = std::move(s).value();
        } else {
            failure = s.error().message;
        }
    }
    if (!server) return core::Error::Unavailable(failure, false);
    return server.get();
}

/// The service without a bucket (backups take theirs from the URL).
storage::S3Options Service(const S3Server& s) {
    storage::S3Options o;
    o.endpoint = s.Endpoint();
    o.access_key = S3Server::kAccessKey;
    o.secret_key = S3Server::kSecretKey;
    o.retries = 1;
    return o;
}

storage::S3Options Bucket(const S3Server& s, const std::string& bucket) {
    auto o = Service(s);
    o.bucket = bucket;
    return o;
}

std::string Unique(const std::string& name) { return name + "-" + std::to_string(::getpid()); }

void Write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Bytes that differ from one position to the next (a video stand-in).
std::string Pattern(std::size_t n, int seed) {
    std::string b(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        b[i] = static_cast<char>((i * 31 + seed * 7 + i / 251) & 0xff);
    return b;
}

const std::string kVideo = Pattern(300000, 1);

/// A studio: one user with an API token, one finished job, its library item on a channel, and
/// three media objects, in the data folder's media/ or (media_store given) in S3.
struct Studio {
    fs::path dir;
    std::unique_ptr<storage::Database> db;
    explicit Studio(const fs::path& d, storage::ObjectStore* media_store = nullptr) : dir(d) {
        fs::create_directories(dir);
        db = std::move(storage::OpenSqlite((dir / "beacon.db").string()).value());
        auto user = db->GetOrCreateUser("admin");
        auto job = db->CreateJob(user->id, *core::ParseGenerateRequest({{"prompt", "a kite"}}));
        core::Content c;
        c.owner_id = user->id;
        c.job_id = job->id;
        c.title = "Kites over the bay";
        c.mp4_key = "library/1/video.mp4";
        auto item = db->CreateContent(c);
        core::Playlist p;
        p.slug = "kites";
        p.title = "Kites";
        p.items = {item->id};
        EXPECT_TRUE(db->CreatePlaylist(p).ok());
        EXPECT_TRUE(db->CreateToken(user->id, "ci", core::Sha256Hex("token-1")).ok());
        const std::map<std::string, std::string> media = {{"library/1/video.mp4", kVideo},
                                                          {"library/1/hls/index.m3u8", "#EXTM3U\n"},
                                                          {"verse/assets/ab12.glb", "glTF model"}};
        for (const auto& [key, bytes] : media) {
            if (media_store) {
                EXPECT_TRUE(media_store->Put(key, bytes).ok());
            } else {
                Write(dir / "media" / key, bytes);
            }
        }
        Write(dir / "secrets.json", "{}\n");
    }
};

/// The library, jobs, channels and tokens of a restored folder are the studio's.
void ExpectStudio(const fs::path& dir) {
    auto db = storage::OpenSqlite((dir / "beacon.db").string());
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto jobs = (*db)->ListJobs({});
    ASSERT_TRUE(jobs.ok());
    ASSERT_EQ(jobs->total, 1);
    EXPECT_EQ(jobs->items[0].request.prompt, "a kite");
    auto items = (*db)->ListContent({});
    ASSERT_TRUE(items.ok());
    ASSERT_EQ(items->total, 1);
    EXPECT_EQ(items->items[0].title, "Kites over the bay");
    auto channel = (*db)->GetPlaylistBySlug("kites");
    ASSERT_TRUE(channel.ok()) << channel.error().message;
    EXPECT_EQ(channel->items, std::vector<std::int64_t>{items->items[0].id});
    auto token = (*db)->GetTokenByHash(core::Sha256Hex("token-1"));
    ASSERT_TRUE(token.ok()) << token.error().message;
    EXPECT_EQ(token->name, "ci");
    EXPECT_EQ(Read(dir / "secrets.json"), "{}\n");
}

void ExpectMediaFiles(const fs::path& dir) {
    EXPECT_TRUE(Read(dir / "media/library/1/video.mp4") == kVideo);
    EXPECT_EQ(Read(dir / "media/library/1/hls/index.m3u8"), "#EXTM3U\n");
    EXPECT_EQ(Read(dir / "media/verse/assets/ab12.glb"), "glTF model");
}

/// Folders next to `dir` left by a restore (its staging folder, or the target itself).
std::vector<std::string> Leftovers(const fs::path& parent, const std::string& name) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(parent)) {
        const auto n = e.path().filename().string();
        if (n == name || n.starts_with("." + name + ".restoring-")) out.push_back(n);
    }
    return out;
}

/// The S3 key of a backup URL's file.
std::string KeyOf(const std::string& backup_url, const std::string& bucket,
                  const std::string& rel) {
    return backup_url.substr(std::string("s3://").size() + bucket.size() + 1) + "/" + rel;
}

TEST(BackupS3, RoundTripRestoresLibraryJobsChannelsTokensAndMedia) {
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const fs::path root = TempDir("s3-roundtrip");
    Studio studio(root / "data");
    const std::string bucket = Unique("roundtrip");
    BackupOptions o{.s3 = Service(**s)};
    auto made = CreateBackup(studio.dir, "s3://" + bucket + "/studio/nightly", o);
    ASSERT_TRUE(made.ok()) << made.error().message;
    const std::string url = made->dir.string();
    EXPECT_TRUE(url.starts_with("s3://" + bucket + "/studio/nightly/beacon-backup-")) << url;
    EXPECT_EQ(made->files, 5);  // beacon.db, secrets.json, three media files
    EXPECT_FALSE(fs::exists(studio.dir / (".backup-staging-" + fs::path(url).filename().string())));
    // A write after the backup is not in it.
    ASSERT_TRUE(studio.db->CreateJob(1, *core::ParseGenerateRequest({{"prompt", "later"}})).ok());

    auto restored = RestoreBackup(url, root / "restored", false, o);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(restored->files, 5);
    ExpectStudio(root / "restored");
    ExpectMediaFiles(root / "restored");
    // The prefix alone restores its newest backup.
    auto newest = RestoreBackup("s3://" + bucket + "/studio/nightly", root / "newest", false, o);
    ASSERT_TRUE(newest.ok()) << newest.error().message;
    ExpectStudio(root / "newest");
    auto verified = VerifyBackup(url, o);
    ASSERT_TRUE(verified.ok()) << verified.error().message;
    EXPECT_EQ(verified->files, 5);

    // A real S3 client reads the layout: the video and the manifest, under the backup's prefix.
    if (std::system("command -v s3cmd >/dev/null 2>&1") != 0) {
        GTEST_FAIL() << "s3cmd not installed (Debian: s3cmd)";
    }
    const std::string hostport = "127.0.0.1:" + std::to_string((*s)->port());
    const std::string s3cmd = "HOME=" + root.string() +
                              " s3cmd --config=/dev/null --no-ssl --host=" + hostport +
                              " --host-bucket=" + hostport +
                              " --access_key=S3RVER --secret_key=S3RVER --region=us-east-1 --force";
    const std::string cmd = s3cmd + " get " + url + "/media/library/1/video.mp4 " +
                            (root / "got.mp4").string() + " > " + (root / "s3cmd.log").string() +
                            " 2>&1 && " + s3cmd + " get " + url + "/manifest.json " +
                            (root / "manifest.json").string() + " >> " +
                            (root / "s3cmd.log").string() + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << Read(root / "s3cmd.log");
    EXPECT_TRUE(Read(root / "got.mp4") == kVideo);
    auto manifest = core::Json::parse(Read(root / "manifest.json"), nullptr, false);
    ASSERT_TRUE(manifest.is_object());
    EXPECT_EQ(manifest["format"], "beacon-backup");
    fs::remove_all(root);
}

TEST(BackupS3, ASecondBackupUploadsNoUnchangedMediaAndSurvivesPruningTheFirst) {
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const fs::path root = TempDir("s3-incremental");
    Studio studio(root / "data");
    const std::string bucket = Unique("incremental");
    const std::string where = "s3://" + bucket + "/backups";
    // Every upload of a media file, seen where the requests leave Beacon.
    std::vector<std::string> media_uploads;
    int copies = 0;
    BackupOptions o{.s3 = Service(**s)};
    o.s3.on_request = [&](const std::string& method, const std::string& key, std::int64_t bytes) {
        if (method != "PUT" || key.find("/media/") == std::string::npos) return;
        if (bytes > 0) {
            media_uploads.push_back(key.substr(key.find("/media/") + 1));
        } else {
            ++copies;  // CopyObject: a PUT without a body
        }
    };
    auto first = CreateBackup(studio.dir, where, o);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(media_uploads.size(), 3u);
    EXPECT_EQ(first->linked_files, 0);

    // One object rewritten (same size, new bytes, a later time), one new.
    const fs::path video = studio.dir / "media/library/1/video.mp4";
    const auto before = fs::last_write_time(video);
    Write(video, Pattern(kVideo.size(), 2));
    fs::last_write_time(video, before + std::chrono::seconds(2));
    Write(studio.dir / "media/library/2/video.mp4", "a new item");
    media_uploads.clear();
    copies = 0;
    auto second = CreateBackup(studio.dir, where, o);
    ASSERT_TRUE(second.ok()) << second.error().message;
    ASSERT_NE(second->dir, first->dir);
    EXPECT_EQ(media_uploads,
              (std::vector<std::string>{"media/library/1/video.mp4", "media/library/2/video.mp4"}));
    EXPECT_EQ(copies, 2);  // the m3u8 and the Verse asset, copied inside the bucket
    EXPECT_EQ(second->linked_files, 2);
    EXPECT_EQ(second->base, first->dir);

    // Within the retention nothing goes; past it the first goes and the newest stays.
    using namespace std::chrono;
    auto kept = PruneS3Backups(where, 14, system_clock::now(), o);
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    EXPECT_TRUE(kept->empty());
    auto pruned = PruneS3Backups(where, 1, system_clock::now() + days(30), o);
    ASSERT_TRUE(pruned.ok()) << pruned.error().message;
    ASSERT_EQ(*pruned, std::vector<std::string>{first->dir.string()});
    auto bucket_store = storage::OpenS3Store(Bucket(**s, bucket));
    ASSERT_TRUE(bucket_store.ok());
    auto left = storage::ListS3Objects(**bucket_store, KeyOf(first->dir.string(), bucket, ""));
    ASSERT_TRUE(left.ok());
    EXPECT_TRUE(left->empty()) << left->size() << " objects of the pruned backup remain";

    auto restored = RestoreBackup(second->dir, root / "restored", false, o);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    ExpectStudio(root / "restored");
    EXPECT_TRUE(Read(root / "restored/media/library/1/video.mp4") == Pattern(kVideo.size(), 2));
    EXPECT_EQ(Read(root / "restored/media/library/2/video.mp4"), "a new item");
    EXPECT_EQ(Read(root / "restored/media/library/1/hls/index.m3u8"), "#EXTM3U\n");
    EXPECT_EQ(Read(root / "restored/media/verse/assets/ab12.glb"), "glTF model");

    // --full uploads everything again.
    media_uploads.clear();
    auto full = CreateBackup(studio.dir, where, BackupOptions{.full = true, .s3 = o.s3});
    ASSERT_TRUE(full.ok()) << full.error().message;
    EXPECT_EQ(full->linked_files, 0);
    EXPECT_EQ(media_uploads.size(), 4u);
    fs::remove_all(root);
}

TEST(BackupS3, ACorruptedOrMissingObjectFailsTheRestoreAndLeavesNoFolder) {
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const fs::path root = TempDir("s3-corrupt");
    Studio studio(root / "data");
    const std::string bucket = Unique("corrupt");
    BackupOptions o{.s3 = Service(**s)};
    auto made = CreateBackup(studio.dir, "s3://" + bucket, o);
    ASSERT_TRUE(made.ok()) << made.error().message;
    const std::string url = made->dir.string();
    auto store = storage::OpenS3Store(Bucket(**s, bucket));
    ASSERT_TRUE(store.ok());
    const std::string key = KeyOf(url, bucket, "media/library/1/video.mp4");

    // One byte changed in the bucket (same size).
    std::string bytes = kVideo;
    bytes[1000] = static_cast<char>(bytes[1000] ^ 0x20);
    ASSERT_TRUE((*store)->Put(key, bytes).ok());
    auto bad = RestoreBackup(url, root / "restored", false, o);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("media/library/1/video.mp4 does not match its SHA-256"),
              std::string::npos)
        << bad.error().message;
    EXPECT_NE(bad.error().message.find("left as it was"), std::string::npos);
    EXPECT_TRUE(Leftovers(root, "restored").empty());
    auto verify = VerifyBackup(url, o);
    ASSERT_FALSE(verify.ok());
    EXPECT_NE(verify.error().message.find("SHA-256"), std::string::npos);

    // The object gone.
    ASSERT_TRUE((*store)->Delete(key).ok());
    bad = RestoreBackup(url, root / "restored", false, o);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("backup file missing: media/library/1/video.mp4"),
              std::string::npos)
        << bad.error().message;
    EXPECT_TRUE(Leftovers(root, "restored").empty());

    // An unfinished backup (no manifest) is not restorable, and not "the newest".
    ASSERT_TRUE((*store)->Put(KeyOf(url, bucket, "beacon.db"), "x").ok());
    ASSERT_TRUE((*store)->Delete(KeyOf(url, bucket, "manifest.json")).ok());
    bad = RestoreBackup(url, root / "restored", false, o);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("no manifest.json"), std::string::npos)
        << bad.error().message;
    bad = RestoreBackup("s3://" + bucket, root / "restored", false, o);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("no complete backup"), std::string::npos)
        << bad.error().message;
    EXPECT_TRUE(Leftovers(root, "restored").empty());
    fs::remove_all(root);
}

TEST(BackupS3, AStudioWithMediaInS3BacksUpAndRestoresIntoABucketOrAFolder) {
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const fs::path root = TempDir("s3-media");
    const auto media_opts = Bucket(**s, Unique("studio-media"));
    auto media = storage::OpenS3Store(media_opts);
    ASSERT_TRUE(media.ok()) << media.error().message;
    Studio studio(root / "data", media->get());
    // The folder's media/ is only this machine's cache: not part of the backup.
    Write(studio.dir / "media/library/9/stale.ts", "a cached copy of a deleted object");
    BackupOptions o{.s3 = Service(**s), .media_s3 = media_opts};

    // To a folder and to S3.
    auto local = CreateBackup(studio.dir, root / "backups", o);
    ASSERT_TRUE(local.ok()) << local.error().message;
    EXPECT_EQ(local->files, 5);
    ExpectMediaFiles(local->dir);
    EXPECT_FALSE(fs::exists(local->dir / "media/library/9/stale.ts"));
    const std::string where = "s3://" + Unique("studio-backups") + "/b";
    auto made = CreateBackup(studio.dir, where, o);
    ASSERT_TRUE(made.ok()) << made.error().message;
    EXPECT_EQ(made->files, 5);
    // Unchanged objects (same ETag) are copied, not read again, by the next backup.
    auto again = CreateBackup(studio.dir, where, o);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->linked_files, 3);

    // Restored for a studio whose media are in a new bucket: the objects go there.
    auto target_opts = Bucket(**s, Unique("restored-media"));
    BackupOptions into_bucket{.s3 = Service(**s), .media_s3 = target_opts};
    auto restored = RestoreBackup(again->dir, root / "restored", false, into_bucket);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    ExpectStudio(root / "restored");
    EXPECT_FALSE(fs::exists(root / "restored/media/library/1/video.mp4"));
    auto target = storage::OpenS3Store(target_opts);
    ASSERT_TRUE(target.ok());
    EXPECT_TRUE(*(*target)->Get("library/1/video.mp4") == kVideo);
    EXPECT_EQ(*(*target)->Get("library/1/hls/index.m3u8"), "#EXTM3U\n");
    EXPECT_EQ(*(*target)->Get("verse/assets/ab12.glb"), "glTF model");
    // That bucket now holds media: a second restore into it is refused unless forced.
    auto refused = RestoreBackup(again->dir, root / "restored2", false, into_bucket);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, core::ErrorCode::kConflict) << refused.error().message;
    EXPECT_TRUE(Leftovers(root, "restored2").empty());

    // Restored without an S3 store configured: the media land in the folder's media/.
    auto to_folder =
        RestoreBackup(where, root / "folder", false, BackupOptions{.s3 = Service(**s)});
    ASSERT_TRUE(to_folder.ok()) << to_folder.error().message;
    ExpectStudio(root / "folder");
    ExpectMediaFiles(root / "folder");
    auto from_local = RestoreBackup(local->dir, root / "from-local", false);
    ASSERT_TRUE(from_local.ok()) << from_local.error().message;
    ExpectMediaFiles(root / "from-local");
    fs::remove_all(root);
}

TEST(BackupS3, ARestoreIntoABucketThatFailsMidwayTakesItsObjectsBack) {
    auto s = SharedS3();
    ASSERT_TRUE(s.ok()) << s.error().message;
    const fs::path root = TempDir("s3-rollback");
    Studio studio(root / "data");
    // A file no object store key can name (upper case), sorted after the library's files: the
    // upload into the bucket fails there, after the library's objects went up.
    Write(studio.dir / "media/verse/assets/Model.GLB", "not a key");
    auto made = CreateBackup(studio.dir, root / "backups");
    ASSERT_TRUE(made.ok()) << made.error().message;
    const auto target_opts = Bucket(**s, Unique("rollback-media"));
    auto failed =
        RestoreBackup(made->dir, root / "restored", false, BackupOptions{.media_s3 = target_opts});
    ASSERT_FALSE(failed.ok());
    EXPECT_NE(failed.error().message.find("Model.GLB"), std::string::npos)
        << failed.error().message;
    EXPECT_TRUE(Leftovers(root, "restored").empty());
    auto target = storage::OpenS3Store(target_opts);
    ASSERT_TRUE(target.ok());
    auto left = storage::ListS3Objects(**target, "");
    ASSERT_TRUE(left.ok());
    EXPECT_TRUE(left->empty()) << left->size() << " objects left in the bucket, the first "
                               << (left->empty() ? "" : left->front().key);
    fs::remove_all(root);
}

TEST(BackupS3, BadUrlsAndMissingServiceAreRefusedClearly) {
    const fs::path root = TempDir("s3-refused");
    Studio studio(root / "data");
    auto no_service = CreateBackup(studio.dir, "s3://bucket/prefix", {});
    ASSERT_FALSE(no_service.ok());
    EXPECT_NE(no_service.error().message.find("s3_endpoint"), std::string::npos);
    storage::S3Options svc;
    svc.endpoint = "http://127.0.0.1:9";
    auto upper = CreateBackup(studio.dir, "s3://bucket/Nightly", BackupOptions{.s3 = svc});
    ASSERT_FALSE(upper.ok());
    EXPECT_NE(upper.error().message.find("lowercase"), std::string::npos);
    fs::remove_all(root);
}

}  // namespace
}  // namespace beacon::ops
