#include "api_key.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "checks.hpp"
#include "marin/config/config_error.hpp"

namespace marin::config::detail {

namespace {

// A token is a few dozen bytes; anything this large is the wrong file.
constexpr std::size_t max_key_file_bytes = 64 * 1024;

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::optional<std::string> check_key_characters(std::string_view key) {
  for (std::size_t i = 0; i < key.size(); ++i) {
    auto c = static_cast<unsigned char>(key[i]);
    if (c <= 0x20 || c >= 0x7f) {
      return "the key holds a space, a line break, a control or a non-ASCII character at byte " + std::to_string(i + 1) +
             " (the key must be one line of printable ASCII)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_readable(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return os_error(errno);
  char byte;
  if (::read(fd.get(), &byte, 1) < 0) return os_error(errno);
  return std::nullopt;
}

std::string read_key_file(const std::filesystem::path& path, std::string_view what) {
  auto fail = [&](const std::string& why) -> ConfigError {
    return ConfigError(std::string(what) + ": API key file " + path.string() + ": " + why);
  };
  // O_NONBLOCK: a FIFO put there by mistake must not hang the start.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) throw fail("cannot open: " + os_error(errno));
  std::string content;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fail("cannot read: " + os_error(errno));
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > max_key_file_bytes) throw fail("is larger than 64 KiB: not a key file");
  }
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) content.pop_back();
  if (content.empty()) throw fail("is empty");
  if (auto why = check_key_characters(content)) throw fail(*why);
  return content;
}

}  // namespace marin::config::detail
