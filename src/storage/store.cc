#include "storage/store.h"

#include <fmt/format.h>

namespace arkiv::storage {
namespace {

constexpr size_t kMaxNameBytes = 1024;
constexpr size_t kMaxPartBytes = 255;  // NAME_MAX of common file systems

// The length of the UTF-8 sequence that `lead` starts, its payload bits and
// the smallest code point that length may encode (anything below is an
// overlong form); length 0 when `lead` cannot start a sequence.
struct Utf8Lead {
  size_t length;
  uint32_t bits;
  uint32_t min;
};
Utf8Lead DecodeLead(unsigned char lead) {
  if (lead < 0x80) return {1, lead, 0};
  if ((lead & 0xe0) == 0xc0) return {2, lead & 0x1fu, 0x80};
  if ((lead & 0xf0) == 0xe0) return {3, lead & 0x0fu, 0x800};
  if ((lead & 0xf8) == 0xf0) return {4, lead & 0x07u, 0x10000};
  return {0, 0, 0};
}

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF): cloud stores reject anything else, and a name
// must mean the same object on every store.
bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    Utf8Lead lead = DecodeLead(static_cast<unsigned char>(s[i]));
    if (lead.length == 0 || lead.length > s.size() - i) return false;
    uint32_t code = lead.bits;
    for (size_t k = 1; k < lead.length; ++k) {
      auto next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = code << 6 | (next & 0x3fu);
    }
    if (code < lead.min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += lead.length;
  }
  return true;
}

}  // namespace

Result<Bytes> Store::GetChecked(std::string_view name, uint64_t offset, uint64_t length,
                                const std::function<Status(ByteView)>& check) {
  ASSIGN_OR_RETURN(Bytes bytes, Get(name, offset, length));
  if (Status st = check(bytes); !st) {
    return Fail(Code::kDataLoss, fmt::format("{}: {}: {}", Location(), name, st.error().message()));
  }
  return bytes;
}

Status ValidateObjectName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return Fail(Code::kInvalidArgument, fmt::format("object name empty or longer than {} bytes", kMaxNameBytes));
  }
  // Checked first: messages below quote the name, which must be printable.
  if (!IsValidUtf8(name)) return Fail(Code::kInvalidArgument, "object name is not valid UTF-8");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7f) {
      return Fail(Code::kInvalidArgument, fmt::format("object name {:?} has a control character or '\\'", name));
    }
  }
  if (name.front() == '/' || name.back() == '/') {
    return Fail(Code::kInvalidArgument, fmt::format("object name {:?} starts or ends with '/'", name));
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") {
      return Fail(Code::kInvalidArgument, fmt::format("object name {:?} has an empty, '.' or '..' part", name));
    }
    if (part.size() > kMaxPartBytes) {
      return Fail(Code::kInvalidArgument,
                  fmt::format("object name {:?} has a part longer than {} bytes", name, kMaxPartBytes));
    }
    if (part.starts_with(kReservedNamePrefix)) {
      return Fail(Code::kInvalidArgument, fmt::format("object name {:?} uses the reserved prefix {:?}", name,
                                                      kReservedNamePrefix));
    }
    start = end + 1;
  }
  return OkStatus();
}

std::optional<std::string_view> ContentHashInName(std::string_view name) {
  std::string_view last = name.substr(name.rfind('/') + 1);  // the whole name when there is no '/'
  if (last.size() != 64 || last.find_first_not_of("0123456789abcdef") != std::string_view::npos) return std::nullopt;
  return last;
}

}  // namespace arkiv::storage
