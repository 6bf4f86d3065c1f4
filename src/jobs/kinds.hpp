#pragma once
/// Job kinds: one JobDefinition per core::JobKind (generate, localize, import), chosen by the
/// job row's `kind`. The worker pool runs one KindDispatch; each kind registers its definition.
#include <map>
#include <string>
#include <vector>

#include "jobs/stage.hpp"

namespace beacon::jobs {

class KindDispatch final : public JobDefinition {
public:
    /// `definition` must outlive this object. Registering a kind twice replaces it. Not
    /// thread-safe: register every kind before the pool starts.
    void Register(core::JobKind kind, JobDefinition& definition);
    /// Stages of the job's kind; a job of a kind nothing registered here gets one stage that fails
    /// saying so.
    std::vector<Stage> StagesFor(const core::Job& job) override;
    void Release(const core::Job& job) override;

private:
    std::map<core::JobKind, JobDefinition*> kinds_;
};

}  // namespace beacon::jobs
