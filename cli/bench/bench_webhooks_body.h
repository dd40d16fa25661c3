// The delivery of `keel bench webhooks`: a Jira Cloud `jira:issue_updated`
// webhook body in the shape Atlassian documents (the shared fixture
// jira-cloud/issue_updated__status.json), whose changelog moves the issue
// from To Do to In Progress, with the custom fields and description of a real
// site's issue filling it to about `bytes`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace keel::cli {

// Issue number `issue` (id 10000 + issue, key OPS-(100 + issue)), sent at
// `timestamp_ms` (Unix milliseconds, the body's `timestamp`).
std::string JiraIssueUpdatedBody(int issue, int64_t timestamp_ms, size_t bytes);

}  // namespace keel::cli
