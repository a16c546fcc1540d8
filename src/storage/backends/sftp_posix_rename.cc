#include "storage/backends/sftp_posix_rename.h"

#include <fmt/format.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace arkiv::storage {
namespace {

constexpr uint8_t kExtendedRequest = 200;  // SSH_FXP_EXTENDED
constexpr uint8_t kStatusReply = 101;      // SSH_FXP_STATUS
constexpr std::string_view kExtension = "posix-rename@openssh.com";

void PutU32BigEndian(std::vector<uint8_t>& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}

void PutString(std::vector<uint8_t>& out, std::string_view s) {
  PutU32BigEndian(out, static_cast<uint32_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

uint32_t GetU32BigEndian(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

// Reads exactly `n` bytes of the SFTP channel.
bool ReadExactly(SshSession& session, uint8_t* out, uint32_t n) {
  uint32_t done = 0;
  while (done < n) {
    int got = ssh_channel_read_timeout(session.sftp()->channel, out + done, n - done, 0, session.timeout_ms());
    if (got <= 0) return false;  // error, end of channel, or timeout
    done += static_cast<uint32_t>(got);
  }
  return true;
}

}  // namespace

bool SupportsPosixRename(SshSession& session) {
  return sftp_extension_supported(session.sftp(), kExtension.data(), "1") == 1;
}

Status PosixRename(SshSession& session, const std::string& from, const std::string& to) {
  std::string what = fmt::format("rename {} to {}", from, to);
  sftp_session sftp = session.sftp();
  uint32_t id = ++sftp->id_counter;  // as libssh numbers its own requests
  std::vector<uint8_t> body;
  body.push_back(kExtendedRequest);
  PutU32BigEndian(body, id);
  PutString(body, kExtension);
  PutString(body, from);
  PutString(body, to);
  std::vector<uint8_t> packet;
  PutU32BigEndian(packet, static_cast<uint32_t>(body.size()));
  packet.insert(packet.end(), body.begin(), body.end());
  auto lost = [&](std::string_view why) {
    session.MarkBroken();
    return Fail(Code::kUnavailable, fmt::format("{}: {}", what, why));
  };
  if (ssh_channel_write(sftp->channel, packet.data(), static_cast<uint32_t>(packet.size())) !=
      static_cast<int>(packet.size())) {
    return lost("connection failed while sending");
  }
  uint8_t length_bytes[4];
  if (!ReadExactly(session, length_bytes, 4)) return lost("no reply (connection lost or timed out)");
  uint32_t length = GetU32BigEndian(length_bytes);
  if (length < 9 || length > 64 * 1024) return lost(fmt::format("malformed reply of {} bytes", length));
  std::vector<uint8_t> reply(length);
  if (!ReadExactly(session, reply.data(), length)) return lost("no reply (connection lost or timed out)");
  if (reply[0] != kStatusReply || GetU32BigEndian(&reply[1]) != id) {
    return lost(fmt::format("unexpected reply type {}", reply[0]));
  }
  uint32_t status = GetU32BigEndian(&reply[5]);
  sftp->errnum = static_cast<int>(status);
  if (status == SSH_FX_OK) return OkStatus();
  return Fail(session.LastError(what));
}

}  // namespace arkiv::storage
