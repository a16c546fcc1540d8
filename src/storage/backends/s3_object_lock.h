// S3 Object Lock for a repository's objects (issue 6, design §16.2).
//
//   s3://BUCKET/PREFIX?object_lock=compliance&lock_days=30
//
// With Object Lock configured, every object arkiv writes (data, index,
// snapshots, keys, config, the cloud set) carries a retention: S3 refuses to
// delete that version or shorten its retention until the date passes
// (COMPLIANCE: nobody can; GOVERNANCE: only a principal with
// s3:BypassGovernanceRetention). A stolen backup credential can then hide
// objects behind delete markers but never destroy them, and the operator
// removes the markers (scripts/s3_undelete.py). Locks, prune markers and
// status records are arkiv's own bookkeeping, rewritten or removed by every
// run, and are written without retention.
// The bucket must have Object Lock enabled (`arkiv init --create-bucket`
// creates it so); S3 wants a Content-MD5 on every upload with a retention.
// A multipart upload asks for the retention when it starts and sets it again
// with PUT ?retention once complete (some S3-compatible servers, moto among
// them, ignore the headers of CreateMultipartUpload).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace arkiv::storage {

struct S3ObjectLock {
  std::string mode;  // "" (no lock), "GOVERNANCE" or "COMPLIANCE"
  int days = 0;      // retention from the time of the upload, 1 to 36500

  bool enabled() const { return !mode.empty(); }
  // True for names written with a retention (storage/retention.h).
  bool Applies(std::string_view name) const;
  // The retention headers of an upload at `now`.
  std::vector<std::pair<std::string, std::string>> Headers(std::chrono::system_clock::time_point now) const;
  // The body of PUT ?retention setting the retention of an upload at `now`.
  std::string RetentionXml(std::chrono::system_clock::time_point now) const;
};

// `object_lock` (governance|compliance) and `lock_days`; kInvalidArgument on
// a bad value. Call Check once all parameters are applied.
Status ApplyObjectLockParameter(S3ObjectLock& lock, std::string_view name, const std::string& value);
// kInvalidArgument when only one of object_lock and lock_days was given.
Status CheckObjectLock(const S3ObjectLock& lock);

// "2026-12-28T04:00:00Z" (S3's retain-until format, also with fractional
// seconds); nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> ParseRetainUntil(std::string_view text);
std::string FormatRetainUntil(std::chrono::system_clock::time_point when);

}  // namespace arkiv::storage
