#include "marin/daemon/status_page.hpp"

#include <iterator>

#include <date/date.h>
#include <fmt/format.h>

#include "marin/daemon/terminal_progress.hpp"

namespace marin::daemon {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

std::string utc(TimePoint t) {
  return date::format("%F %T UTC", date::floor<std::chrono::seconds>(t));
}

std::string ago(TimePoint t, TimePoint now) {
  return format_duration(std::chrono::duration_cast<std::chrono::seconds>(now - t));
}

constexpr std::string_view kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.3em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.2em 0 .4em}
table{border-collapse:collapse;background:#fff}td,th{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}th{background:#eee}
.ok{color:#176a2b}.bad{color:#a11}.muted{color:#777}
.bar{display:inline-block;width:8em;height:.7em;background:#ddd;vertical-align:middle}
.bar span{display:block;height:100%;background:#3a7bd5}
)";

template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

}  // namespace

std::string render_status_page(const StatusPageData& data) {
  const ProgressSnapshot& p = data.progress;
  const TimePoint now = p.taken_at;
  std::string out;

  put(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta http-equiv=\"refresh\" content=\"5\"><title>marin-sync</title><style>{}</style></head><body>\n",
    kStyle);
  put(out, "<h1>marin-sync {}</h1>\n", html_escape(data.version));
  put(out, "<p>Health: <b class=\"{}\">{}</b> &middot; <span class=\"muted\">page generated {}</span></p>\n",
    data.health.ok ? "ok" : "bad", html_escape(data.health.reason), utc(now));

  if (p.current) {
    put(out, "<h2>Current run: {} (started {}, {} ago)</h2>\n", to_string(p.current->mode), utc(p.current->started_at),
      ago(p.current->started_at, now));
    if (p.current->listings_known > 0) {
      put(out, "<p>{} of {} listings read</p>\n", p.current->listings_done, p.current->listings_known);
    }
    put(out, "<table><tr><th>stream</th><th>pages</th><th>progress</th><th>rows</th><th>state</th></tr>\n");
    for (const StreamProgress& s : p.streams) {
      std::string bar = "<span class=\"muted\">?</span>";
      std::string pages = fmt::format("{}", s.pages_done);
      if (s.pages_total && *s.pages_total > 0) {
        const double share = std::min(1.0, double(s.pages_done) / double(*s.pages_total));
        bar = fmt::format("<span class=\"bar\"><span style=\"width:{:.0f}%\"></span></span> {:.0f}%", share * 100,
                          share * 100);
        pages = fmt::format("{} / {}", s.pages_done, *s.pages_total);
      }
      std::string state(to_string(s.state));
      if (!s.error.empty()) state += ": " + s.error;
      put(out, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>\n", html_escape(s.name), pages,
        bar, s.rows, s.state == StreamState::failed ? "bad" : "", html_escape(state));
    }
    put(out, "</table>\n");
  } else {
    put(out, "<h2>No run in progress</h2>\n");
  }
  if (data.next_run) {
    put(out, "<p>Next run: {} at {}</p>\n", to_string(data.next_run->mode), utc(data.next_run->at));
  }

  put(out, "<h2>Last runs</h2>\n");
  if (p.recent_runs.empty()) {
    put(out, "<p class=\"muted\">none since the daemon started</p>\n");
  } else {
    put(out, "<table><tr><th>mode</th><th>started</th><th>duration</th><th>rows</th><th>outcome</th><th>summary</th></tr>\n");
    for (const FinishedRun& r : p.recent_runs) {
      put(out, "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
        to_string(r.mode), utc(r.started_at),
        format_duration(std::chrono::duration_cast<std::chrono::seconds>(r.ended_at - r.started_at)), r.rows,
        r.ok ? "ok" : "bad", outcome_text(r), html_escape(r.summary));
    }
    put(out, "</table>\n");
  }
  put(out, "</body></html>\n");
  return out;
}

}  // namespace marin::daemon
