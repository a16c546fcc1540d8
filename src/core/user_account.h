// The password database entry of a user: name and home directory.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace arkiv {

struct UserAccount {
  std::string name;
  std::string home;
};

// The entry of `uid`, or nullopt when there is none. Safe on any thread:
// it uses getpwuid_r, where getpwuid returns one buffer shared by the whole
// process (SSH sessions are opened on several threads at once).
std::optional<UserAccount> LookUpUser(uid_t uid);

}  // namespace arkiv
