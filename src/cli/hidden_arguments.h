// Keeps credentials given in store URLs out of the process title.
//
// A SAS may be written into an Azure URL (`azure://acct/box?sas=...`), and
// every user of the machine can read a process's command line (ps,
// /proc/PID/cmdline). arkiv takes no password on its command line
// (--password-file, ARKIV_PASSWORD), but a URL cannot be kept off it, so the
// values of URL parameters that carry a credential are overwritten in place
// once the arguments have been copied.
#pragma once

#include <string>
#include <vector>

namespace arkiv::cli {

// Copies argv[1..argc) for the parser, then overwrites (in argv's own
// memory, which is what /proc/PID/cmdline shows) the value of every `sas=`
// and `sig=` URL parameter with '*'. Returns the copies in order.
std::vector<std::string> TakeArgumentsHidingSecrets(int argc, char** argv);

// The same masking on one string: "…&sas=abc&x=1" gives "…&sas=***&x=1".
// A parameter counts when it follows '?' or '&'.
void MaskUrlSecrets(char* text);

}  // namespace arkiv::cli
