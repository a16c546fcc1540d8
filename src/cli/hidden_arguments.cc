#include "cli/hidden_arguments.h"

#include <cstring>
#include <string_view>

namespace arkiv::cli {

void MaskUrlSecrets(char* text) {
  for (char* p = text; *p != '\0'; ++p) {
    if (*p != '?' && *p != '&') continue;
    std::string_view rest(p + 1);
    if (!rest.starts_with("sas=") && !rest.starts_with("sig=")) continue;
    for (char* v = p + 5; *v != '\0' && *v != '&'; ++v) *v = '*';
  }
}

std::vector<std::string> TakeArgumentsHidingSecrets(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    args.emplace_back(argv[i]);
    MaskUrlSecrets(argv[i]);
  }
  return args;
}

}  // namespace arkiv::cli
