// Each library has its own settings struct; this is the one place that
// fills them from the validated configuration.
#pragma once

#include "marin/config/settings.hpp"
#include "marin/daemon/logging.hpp"
#include "marin/daemon/schedule.hpp"
#include "marin/model/run_vocabulary.hpp"
#include "marin/run/run_once.hpp"
#include "marin/storage/mirror_writer.hpp"
#include "marin/storage/run_lock.hpp"
#include "marin/sync/api_settings.hpp"
#include "marin/sync/crawl_engine.hpp"

namespace marin::app {

sync::ApiSettings api_settings(const config::Settings& s);
storage::WriterSettings writer_settings(const config::Settings& s);
storage::LockMode lock_mode(const config::Settings& s);
sync::CrawlSettings crawl_settings(const config::Settings& s, model::RunMode mode);
// Everything a run of `mode` needs, from the configuration.
run::RunSettings run_settings(const config::Settings& s, model::RunMode mode);
daemon::ScheduleConfig schedule_config(const config::Settings& s);
spdlog::level::level_enum log_level(const config::Settings& s);
daemon::LogFormat log_format(const config::Settings& s);

}  // namespace marin::app
