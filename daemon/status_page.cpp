// The HTML status page at "/": the run in progress, the last runs, health and the next run.
#include "marin/daemon/status_page.hpp"

#include <algorithm>
#include <iterator>

#include <date/date.h>
#include <fmt/format.h>

#include "marin/run/terminal_progress.hpp"

namespace marin::daemon {

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

namespace {

std::string utc(run::TimePoint t) { return date::format("%F %T UTC", date::floor<std::chrono::seconds>(t)); }

std::string ago(run::TimePoint t, run::TimePoint now) {
    return run::format_duration(std::chrono::duration_cast<std::chrono::seconds>(now - t));
}

constexpr std::string_view page_style = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.3em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.2em 0 .4em}
table{border-collapse:collapse;background:#fff}td,th{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}th{background:#eee}
#last-runs td:last-child,#last-runs th:last-child{text-align:left;max-width:50em}
.ok{color:#176a2b}.bad{color:#a11}.muted{color:#777}
.bar{display:inline-block;width:8em;height:.7em;background:#ddd;vertical-align:middle}
.bar span{display:block;height:100%;background:#3a7bd5}
)";

template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
    fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
}

// The run in progress: its line and one row per stream.
void render_current_run(std::string& out, const run::ProgressSnapshot& p, run::TimePoint now) {
    const run::CurrentRun& run = *p.current;
    put(out, "<section id=\"current-run\"><h2>Current run: {} (started {}, {} ago)</h2>\n", to_string(run.mode),
        utc(run.started_at), ago(run.started_at, now));
    put(out, "<p id=\"run-line\">{}</p>\n", html_escape(run::render_run_line(run, now)));
    put(out,
        "<table id=\"streams\"><tr><th>stream</th><th>listings</th><th>pages</th><th>progress</th><th>rows</th>"
        "<th>state</th></tr>\n");
    for (const run::StreamProgress& s : p.streams) {
        // A bar only when the share is known: never a full bar while more
        // listings of the stream can still be queued.
        std::string bar;
        if (const auto f = run::stream_fraction(s)) {
            bar = fmt::format("<span class=\"bar\"><span style=\"width:{:.0f}%\"></span></span> {:.0f}%", *f * 100,
                              *f * 100);
        } else if (s.more_can_come) {
            bar = "<span class=\"muted\">more to come</span>";
        }
        const std::string more = s.more_can_come ? "+" : "";
        const bool bad =
            s.state == run::StreamState::failed || s.state == run::StreamState::stopped || s.listings_failed > 0;
        put(out,
            "<tr data-stream=\"{}\" data-state=\"{}\"><td>{}</td><td>{} / {}{}</td><td>{} / "
            "{}{}</td><td>{}</td><td>{}</td>"
            "<td class=\"{}\">{}</td></tr>\n",
            html_escape(s.name), html_escape(to_string(s.state)), html_escape(s.name), s.listings_ended,
            s.listings_known, more, s.pages_done, std::max(s.pages_known, s.pages_done), more, bar, s.rows,
            bad ? "bad" : "", html_escape(run::state_text(s)));
    }
    put(out, "</table></section>\n");
}

// The runs marin.sync_runs holds, newest first.
void render_last_runs(std::string& out, const run::ProgressSnapshot& p) {
    put(out,
        "<table id=\"last-runs\"><tr><th>run</th><th>mode</th><th>started</th><th>duration</th><th>requests</th>"
        "<th>outcome</th><th>error or summary</th></tr>\n");
    for (const run::FinishedRun& r : p.recent_runs) {
        const std::string duration =
            r.running
                ? "-"
                : run::format_duration(std::chrono::duration_cast<std::chrono::seconds>(r.ended_at - r.started_at));
        put(out,
            "<tr data-run=\"{}\" data-outcome=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td class=\"{}\">{}</td><td>{}</td></tr>\n",
            r.run_id, run::outcome_text(r), r.run_id, to_string(r.mode), utc(r.started_at), duration, r.requests,
            r.ok || r.running ? "ok" : "bad", run::outcome_text(r), html_escape(r.error.empty() ? r.summary : r.error));
    }
    put(out, "</table>\n");
}

// What went wrong in the newest run that failed: the listings that failed
// (first few, as recorded, the key masked) and the removal guard.
void render_last_failure(std::string& out, const run::ProgressSnapshot& p) {
    const auto failed = std::find_if(p.recent_runs.begin(), p.recent_runs.end(),
                                     [](const run::FinishedRun& r) { return !r.ok && !r.running && !r.interrupted; });
    if (failed != p.recent_runs.end()) {
        put(out, "<section id=\"last-failure\"><h2>Last failed run: {} (run {}, ended {})</h2>\n",
            to_string(failed->mode), failed->run_id, utc(failed->ended_at));
        put(out, "<p>Error: <span id=\"failure-error\" class=\"bad\">{}</span></p>\n",
            html_escape(failed->error.empty() ? failed->summary : failed->error));
        if (const std::string guard = run::removal_guard_text(*failed); !guard.empty())
            put(out, "<p>Removal guard tripped: <span id=\"removal-guard\" class=\"bad\">{}</span></p>\n",
                html_escape(guard));
        if (!failed->failed_listings.empty()) {
            put(out, "<p>{} listings failed{}:</p><ul id=\"failed-listings\">\n", failed->listings_failed,
                failed->listings_failed > failed->failed_listings.size()
                    ? fmt::format(", the first {}", failed->failed_listings.size())
                    : std::string());
            for (const std::string& f : failed->failed_listings) put(out, "<li>{}</li>\n", html_escape(f));
            put(out, "</ul>\n");
        }
        put(out, "</section>\n");
    }
}

}  // namespace

std::string render_status_page(const StatusPageData& data) {
    const run::ProgressSnapshot& p = data.progress;
    const run::TimePoint now = p.taken_at;
    std::string out;

    put(out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"refresh\" content=\"5\"><title>marin-sync</title><style>{}</style></head><body>\n",
        page_style);
    put(out, "<h1>marin-sync {}</h1>\n", html_escape(data.version));
    put(out,
        "<p>Health: <b id=\"health\" class=\"{}\">{}</b> &middot; <span class=\"muted\">page generated {}</span></p>\n",
        data.health.ok ? "ok" : "bad", html_escape(data.health.reason), utc(now));

    if (p.current) {
        render_current_run(out, p, now);
    } else {
        put(out, "<h2 id=\"current-run\">No run in progress</h2>\n");
    }
    if (data.next_run) {
        put(out, "<p>Next run: {} at {}</p>\n", to_string(data.next_run->mode), utc(data.next_run->at));
    }

    put(out, "<h2>Last runs</h2>\n");
    if (p.recent_runs.empty()) {
        put(out, "<p id=\"last-runs\" class=\"muted\">none recorded in marin.sync_runs</p>\n");
    } else {
        render_last_runs(out, p);
        render_last_failure(out, p);
    }
    put(out, "</body></html>\n");
    return out;
}

}  // namespace marin::daemon
