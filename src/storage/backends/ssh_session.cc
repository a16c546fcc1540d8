#include "storage/backends/ssh_session.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>

#include "core/user_account.h"

namespace arkiv::storage {
namespace {

// How known_hosts and ssh-keygen spell the host: "[host]:port" off port 22.
std::string HostEntry(const SshEndpoint& e) {
  return e.port == 22 ? e.host : fmt::format("[{}]:{}", e.host, e.port);
}

std::string LocalUser() {
  if (auto user = LookUpUser(::geteuid()); user && !user->name.empty()) return user->name;
  if (const char* user = std::getenv("USER")) return user;
  return "root";
}

std::string HomeFile(std::string_view relative) {
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return fmt::format("{}/{}", home, relative);
  auto user = LookUpUser(::geteuid());
  return fmt::format("{}/{}", user ? user->home : std::string("/"), relative);
}

std::string Fingerprint(ssh_session ssh) {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(ssh, &key) != SSH_OK) return "an unreadable key";
  unsigned char* hash = nullptr;
  size_t hash_len = 0;
  std::string text = "an unreadable key";
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_len) == 0) {
    char* printable = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
    if (printable != nullptr) {
      text = fmt::format("{} {}", ssh_key_type_to_char(ssh_key_type(key)), printable);
      ssh_string_free_char(printable);
    }
    ssh_clean_pubkey_hash(&hash);
  }
  ssh_key_free(key);
  return text;
}

// Passphrases are never asked for: a backup runs unattended, and libssh (or
// OpenSSL, for PEM keys) would otherwise prompt on the terminal.
int RefusePassphrase(const char*, char*, size_t, int, int, void*) {
  return -1;
}

}  // namespace

Result<std::unique_ptr<SshSession>> SshSession::Connect(const SshEndpoint& endpoint) {
  ssh_session ssh = ssh_new();
  if (ssh == nullptr) return Fail(Code::kInternal, "ssh_new failed");
  auto session = std::unique_ptr<SshSession>(new SshSession(ssh, endpoint.timeout_seconds));
  ssh_callbacks_init(&session->callbacks_);
  session->callbacks_.auth_function = RefusePassphrase;
  ssh_set_callbacks(ssh, &session->callbacks_);
  std::string user = endpoint.user.empty() ? LocalUser() : endpoint.user;
  std::string known_hosts =
      endpoint.known_hosts_file.empty() ? HomeFile(".ssh/known_hosts") : endpoint.known_hosts_file;
  unsigned int port = static_cast<unsigned int>(endpoint.port);
  long timeout = endpoint.timeout_seconds;
  int no = 0;
  // Only the known_hosts file we name counts; no system-wide file, no config.
  if (ssh_options_set(ssh, SSH_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK ||
      ssh_options_set(ssh, SSH_OPTIONS_HOST, endpoint.host.c_str()) != SSH_OK ||
      ssh_options_set(ssh, SSH_OPTIONS_PORT, &port) != SSH_OK ||
      ssh_options_set(ssh, SSH_OPTIONS_USER, user.c_str()) != SSH_OK ||
      ssh_options_set(ssh, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str()) != SSH_OK ||
      ssh_options_set(ssh, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") != SSH_OK ||
      ssh_options_set(ssh, SSH_OPTIONS_TIMEOUT, &timeout) != SSH_OK) {
    return Fail(Code::kInvalidArgument, fmt::format("ssh {}: bad option: {}", HostEntry(endpoint), ssh_get_error(ssh)));
  }
  if (ssh_connect(ssh) != SSH_OK) {
    return Fail(Code::kUnavailable, fmt::format("ssh {}: cannot connect: {}", HostEntry(endpoint), ssh_get_error(ssh)));
  }
  session->watched_.fd = ssh_get_fd(ssh);
  SshWatchdog::Global().Add(&session->watched_);
  session->watching_ = true;
  session->BeginCall();
  RETURN_IF_ERROR(session->VerifyHostKey(
      SshEndpoint{endpoint.host, endpoint.port, user, endpoint.key_file, known_hosts, endpoint.timeout_seconds}));
  RETURN_IF_ERROR(session->Authenticate(endpoint));
  sftp_session sftp = sftp_new(ssh);
  if (sftp == nullptr) {
    return Fail(Code::kUnavailable,
                fmt::format("ssh {}: cannot open an SFTP channel: {}", HostEntry(endpoint), ssh_get_error(ssh)));
  }
  session->sftp_ = sftp;
  if (sftp_init(sftp) != SSH_OK) {
    return Fail(Code::kUnavailable,
                fmt::format("ssh {}: SFTP did not start: {}", HostEntry(endpoint), ssh_get_error(ssh)));
  }
  session->EndCalls();
  return session;
}

SshSession::~SshSession() {
  if (watching_) SshWatchdog::Global().Remove(&watched_);
  if (sftp_ != nullptr) sftp_free(sftp_);
  ssh_disconnect(ssh_);
  ssh_free(ssh_);
}

Status SshSession::VerifyHostKey(const SshEndpoint& endpoint) {
  std::string host = HostEntry(endpoint);
  const std::string& file = endpoint.known_hosts_file;
  switch (ssh_session_is_known_server(ssh_)) {
    case SSH_KNOWN_HOSTS_OK: return OkStatus();
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      return Fail(Code::kPermissionDenied,
                  fmt::format("ssh {}: the host key changed (the server now shows {}) and no longer matches {}; "
                              "this may be an attack. If the key was changed on purpose, remove the old entry "
                              "(ssh-keygen -R '{}' -f {}) and add the new one after checking its fingerprint",
                              host, Fingerprint(ssh_), file, host, file));
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      return Fail(Code::kPermissionDenied,
                  fmt::format("ssh {}: the host is not in {} (it shows {}); check that fingerprint with the "
                              "server's administrator, then add the host (ssh-keyscan -p {} {} >> {}) or name "
                              "another file with ?known_hosts=",
                              host, file, Fingerprint(ssh_), endpoint.port, endpoint.host, file));
    case SSH_KNOWN_HOSTS_ERROR:
    default:
      return Fail(Code::kPermissionDenied,
                  fmt::format("ssh {}: cannot check the host key against {}: {}", host, file, ssh_get_error(ssh_)));
  }
}

Status SshSession::Authenticate(const SshEndpoint& endpoint) {
  std::string host = HostEntry(endpoint);
  int rc = SSH_AUTH_DENIED;
  std::string tried;
  if (!endpoint.key_file.empty()) {
    ssh_key key = nullptr;
    if (ssh_pki_import_privkey_file(endpoint.key_file.c_str(), nullptr, RefusePassphrase, nullptr, &key) != SSH_OK) {
      return Fail(Code::kPermissionDenied,
                  fmt::format("ssh {}: cannot read the private key {} (missing, or protected by a passphrase: "
                              "use ssh-agent instead)",
                              host, endpoint.key_file));
    }
    rc = ssh_userauth_publickey(ssh_, nullptr, key);
    ssh_key_free(key);
    tried = "the key " + endpoint.key_file;
  } else {
    // The agent (if SSH_AUTH_SOCK is set), then ~/.ssh/id_ed25519, id_ecdsa, id_rsa.
    rc = ssh_userauth_publickey_auto(ssh_, nullptr, nullptr);
    tried = "the ssh agent and ~/.ssh/id_ed25519, id_ecdsa, id_rsa";
  }
  if (rc == SSH_AUTH_SUCCESS) return OkStatus();
  if (rc == SSH_AUTH_ERROR && ssh_is_connected(ssh_) == 0) {
    return Fail(Code::kUnavailable,
                fmt::format("ssh {}: connection lost while authenticating: {}", host, ssh_get_error(ssh_)));
  }
  std::string user;
  if (char* u = nullptr; ssh_options_get(ssh_, SSH_OPTIONS_USER, &u) == SSH_OK) {
    user = u;
    ssh_string_free_char(u);
  }
  return Fail(Code::kPermissionDenied,
              fmt::format("ssh {}: the server refused {} for user '{}' (add the public key to the user's "
                          "authorized_keys, or name another with ?key=)",
                          host, tried, user));
}

void SshSession::BeginCall() {
  if (sftp_ != nullptr) sftp_->errnum = SSH_FX_OK;
  // libssh's own timeout first, where it has one; the watchdog after it.
  watched_.Arm(std::chrono::milliseconds(timeout_ms() + 1000));
}

bool SshSession::Healthy() const {
  return !broken_ && !watched_.cut && ssh_is_connected(ssh_) != 0 && sftp_ != nullptr &&
         ssh_channel_is_open(sftp_->channel) != 0 && ssh_channel_is_eof(sftp_->channel) == 0;
}

int SshSession::LastSftpStatus() const {
  return sftp_ != nullptr ? sftp_get_error(sftp_) : 0;
}

Error SshSession::LastError(std::string_view what) const {
  if (watched_.cut) {
    broken_ = true;
    return Error(Code::kUnavailable, fmt::format("{}: no answer from the server within {} s", what, timeout_seconds_));
  }
  int status = LastSftpStatus();
  // Transport failures and timeouts are fatal to the session; a refused
  // request is not.
  if (!Healthy() || ssh_get_error_code(ssh_) == SSH_FATAL || status == SSH_FX_OK || status == SSH_FX_NO_CONNECTION ||
      status == SSH_FX_CONNECTION_LOST) {
    broken_ = true;
    return Error(Code::kUnavailable, fmt::format("{}: connection failed: {}", what, ssh_get_error(ssh_)));
  }
  switch (status) {
    case SSH_FX_NO_SUCH_FILE:
    case SSH_FX_NO_SUCH_PATH: return Error(Code::kNotFound, fmt::format("{}: no such file", what));
    case SSH_FX_PERMISSION_DENIED:
    case SSH_FX_WRITE_PROTECT:
      return Error(Code::kPermissionDenied, fmt::format("{}: permission denied by the server", what));
    case SSH_FX_FILE_ALREADY_EXISTS: return Error(Code::kAlreadyExists, fmt::format("{}: already exists", what));
    case SSH_FX_OP_UNSUPPORTED:
      return Error(Code::kUnimplemented, fmt::format("{}: not supported by the server", what));
    default:
      return Error(Code::kInternal,
                   fmt::format("{}: the server failed (SFTP status {}: {})", what, status, ssh_get_error(ssh_)));
  }
}

}  // namespace arkiv::storage
