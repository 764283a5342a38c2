// The fault settings: their checks, /_sim/faults (change them at run time)
// and their JSON form.
#include "handling.hpp"

namespace marin::sim {

std::string fault_settings_problem(const FaultSettings& f) {
    if (f.repeat_count < 1 || f.repeat_count > 300)
        return "repeat_count must be 1..300, got " + std::to_string(f.repeat_count);
    if (f.fail_from_page < 1) return "fail_from_page must be 1 or more, got " + std::to_string(f.fail_from_page);
    if (f.fail_status < 400 || f.fail_status > 599)
        return "fail_status must be an HTTP error status (400..599), got " + std::to_string(f.fail_status);
    if (!f.fail_prefix.empty() && f.fail_prefix.front() != '/')
        return "fail_prefix must be a path starting with '/', got '" + f.fail_prefix + "'";
    if (!f.next_host.empty()) {
        // host:port, nothing else: it is pasted in front of the path.
        const auto colon = f.next_host.rfind(':');
        const bool ok = colon != std::string::npos && colon > 0 && colon + 1 < f.next_host.size() &&
                        f.next_host.find_first_of("/?#@ ") == std::string::npos &&
                        f.next_host.find_first_not_of("0123456789", colon + 1) == std::string::npos;
        if (!ok) return "next_host must be host:port, got '" + f.next_host + "'";
    }
    return {};
}

namespace {

bool read_probability(const std::string& v, double& field) {
    try {
        std::size_t used = 0;
        const double d = std::stod(v, &used);
        if (used != v.size() || !(d >= 0.0 && d <= 1.0)) return false;
        field = d;
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

bool read_count(const std::string& v, int& field) {
    const auto x = detail::parse_uint(v);
    if (!x || *x > 3'600'000) return false;
    field = static_cast<int>(*x);
    return true;
}

// One /_sim/faults parameter into `f`; the problem when it is not usable.
std::optional<std::string> set_fault(FaultSettings& f, const std::string& k, const std::string& v) {
    bool ok = true;
    if (k == "latency_ms")
        ok = read_count(v, f.latency_ms);
    else if (k == "max_concurrent")
        ok = read_count(v, f.max_concurrent);
    else if (k == "p429")
        ok = read_probability(v, f.p429);
    else if (k == "p500")
        ok = read_probability(v, f.p500);
    else if (k == "p503")
        ok = read_probability(v, f.p503);
    else if (k == "pdrop")
        ok = read_probability(v, f.pdrop);
    else if (k == "pslow")
        ok = read_probability(v, f.pslow);
    else if (k == "pbad_body")
        ok = read_probability(v, f.pbad_body);
    else if (k == "pnext_loop")
        ok = read_probability(v, f.pnext_loop);
    else if (k == "ptotal_drift")
        ok = read_probability(v, f.ptotal_drift);
    else if (k == "prepeat")
        ok = read_probability(v, f.prepeat);
    else if (k == "repeat_count")
        ok = read_count(v, f.repeat_count);
    else if (k == "next_host")
        f.next_host = v;
    else if (k == "fail_prefix")
        f.fail_prefix = v;
    else if (k == "fail_from_page")
        ok = read_count(v, f.fail_from_page);
    else if (k == "fail_status")
        ok = read_count(v, f.fail_status);
    else
        return "unknown fault setting '" + k + "'";
    if (!ok) return "bad value '" + v + "' for " + k;
    return std::nullopt;
}

std::string fault_settings_json(const FaultSettings& f) {
    std::string body;
    JsonWriter w(body);
    w.begin_object();
    w.key("latency_ms");
    w.integer(f.latency_ms);
    w.key("p429");
    w.number(f.p429);
    w.key("p500");
    w.number(f.p500);
    w.key("p503");
    w.number(f.p503);
    w.key("pdrop");
    w.number(f.pdrop);
    w.key("pslow");
    w.number(f.pslow);
    w.key("pbad_body");
    w.number(f.pbad_body);
    w.key("max_concurrent");
    w.integer(f.max_concurrent);
    w.key("pnext_loop");
    w.number(f.pnext_loop);
    w.field("next_host", f.next_host);
    w.key("ptotal_drift");
    w.number(f.ptotal_drift);
    w.key("prepeat");
    w.number(f.prepeat);
    w.key("repeat_count");
    w.integer(f.repeat_count);
    w.field("fail_prefix", f.fail_prefix);
    w.key("fail_from_page");
    w.integer(f.fail_from_page);
    w.key("fail_status");
    w.integer(f.fail_status);
    w.end_object();
    return body;
}

}  // namespace

Response Simulator::admin_faults(const std::map<std::string, std::string>& params) {
    using detail::error;
    using detail::route;
    FaultSettings f = faults();
    if (auto r = params.find("reset"); r != params.end() && (r->second == "1" || r->second == "true"))
        f = FaultSettings{};  // first, whatever the parameters' order
    for (const auto& [k, v] : params) {
        if (k == "key" || k == "reset") continue;
        if (auto problem = set_fault(f, k, v)) return route("/_sim/faults", error(400, *problem));
    }
    if (const auto problem = fault_settings_problem(f); !problem.empty())
        return route("/_sim/faults", error(400, problem));
    {
        std::lock_guard lock(faults_mutex_);
        faults_ = f;
    }
    return route("/_sim/faults", detail::json_response(200, fault_settings_json(f)));
}

}  // namespace marin::sim
