// Tree nodes from lstat(2), and the test for "unchanged since the parent
// snapshot" that lets a backup skip reading a file.
#pragma once

#include <sys/stat.h>

#include <string>

#include "core/status.h"
#include "repo/tree.h"

namespace arkiv::engine {

// Fills every field but content/subtree/link_target. Thread safe.
repo::Node NodeFromStat(const std::string& name, const struct stat& st);

// Same file as recorded in the parent snapshot: type, size, inode, mtime and
// ctime all equal.
bool UnchangedSince(const repo::Node& now, const repo::Node& before);

// Why a file is not the one `listed` (lstat before reading) describes, given
// fstat of the open file after reading it (`after`) and the bytes read: ""
// when nothing changed. The bytes read may then be a torn mix of old and new
// content, so a backup must say so rather than store them silently.
std::string ChangeWhileRead(const repo::Node& listed, const struct stat& after, uint64_t bytes_read);

}  // namespace arkiv::engine
