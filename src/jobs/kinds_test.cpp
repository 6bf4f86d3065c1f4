// KindDispatch: a job runs the stages of its own kind; a kind not registered fails saying which.
#include <gtest/gtest.h>

#include "jobs/kinds.hpp"

namespace beacon::jobs {
namespace {

class Named final : public JobDefinition {
public:
    explicit Named(std::string name) : name_(std::move(name)) {}
    std::vector<Stage> StagesFor(const core::Job&) override {
        return {Stage{name_, core::JobState::kComposing, 0, 100, nullptr}};
    }
    void Release(const core::Job& job) override { released = job.id; }
    std::int64_t released = 0;

private:
    std::string name_;
};

TEST(KindDispatchTest, EachKindRunsItsOwnStagesAndUnknownKindsFailInWords) {
    Named generate("script"), localize("translate");
    KindDispatch d;
    d.Register(core::JobKind::kGenerate, generate);
    d.Register(core::JobKind::kLocalize, localize);
    core::Job job;
    job.id = 7;
    EXPECT_EQ(d.StagesFor(job).front().name, "script");  // the default kind
    job.kind = core::JobKind::kLocalize;
    EXPECT_EQ(d.StagesFor(job).front().name, "translate");
    d.Release(job);
    EXPECT_EQ(localize.released, 7);
    EXPECT_EQ(generate.released, 0);
    job.kind = core::JobKind::kImport;  // a kind no definition is registered for here
    auto stages = d.StagesFor(job);
    ASSERT_EQ(stages.size(), 1u);
    struct NoContext final : StageContext {
        core::Job j;
        const core::Job& job() const override { return j; }
        std::stop_token stop_token() const override { return {}; }
        void SetProgress(int) override {}
        void Log(const std::string&, core::LogLevel) override {}
        core::Json StageOutputs(const std::string&) const override { return nullptr; }
        void SetUrls(const core::Json&) override {}
    } ctx;
    auto r = stages[0].run(ctx);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("kind 'import' (known: generate, localize)"), std::string::npos)
        << r.error().message;
}

}  // namespace
}  // namespace beacon::jobs
