#include "marin/config/settings.hpp"

#include <algorithm>

namespace marin::config {

std::string_view to_string(LogSection::Level level) {
  switch (level) {
    case LogSection::Level::trace: return "trace";
    case LogSection::Level::debug: return "debug";
    case LogSection::Level::info: return "info";
    case LogSection::Level::warn: return "warn";
    case LogSection::Level::error: return "error";
  }
  return "?";
}

std::string_view to_string(LogSection::Format format) {
  switch (format) {
    case LogSection::Format::automatic: return "auto";
    case LogSection::Format::journald: return "journald";
    case LogSection::Format::text: return "text";
  }
  return "?";
}

std::string DatabaseSection::connection_string() const {
  if (dsn.find("connect_timeout") != std::string::npos) return dsn;
  const auto seconds = std::max<long long>(1, (connect_timeout.count() + 999) / 1000);
  const bool uri = dsn.starts_with("postgresql://") || dsn.starts_with("postgres://");
  if (!uri) return dsn + " connect_timeout=" + std::to_string(seconds);
  return dsn + (dsn.find('?') == std::string::npos ? "?" : "&") + "connect_timeout=" + std::to_string(seconds);
}

std::string_view to_string(SyncSection::LockWait wait) {
  switch (wait) {
    case SyncSection::LockWait::wait: return "wait";
    case SyncSection::LockWait::fail: return "fail";
  }
  return "?";
}

}  // namespace marin::config
