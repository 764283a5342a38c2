#pragma once
// Helpers for the simulator tests: an in-process simulator on a loopback port
// and a small blocking HTTP/1.1 client (keep-alive) to talk to it.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>
#include <unistd.h>

#include "marin/sim/server.hpp"
#include "marin/sim/simulator.hpp"

namespace marin::sim::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;

inline constexpr const char* test_key = "test-key";

inline SimulatorConfig config_for(Scale scale, std::uint64_t seed = 7) {
    SimulatorConfig c;
    c.world.seed = seed;
    c.world.scale = scale;
    c.world.today = *parse_day("2024-06-15");
    c.key = test_key;
    return c;
}

// A simulator served on 127.0.0.1:<free port> by a background thread.
class RunningSim {
  public:
    explicit RunningSim(SimulatorConfig config)
        : sim_(std::make_unique<Simulator>(std::move(config))),
          server_(std::make_unique<Server>(*sim_, ServerConfig{})),
          thread_([this] { server_->run(false); }) {}
    ~RunningSim() {
        server_->stop();
        thread_.join();
    }
    std::uint16_t port() const { return server_->port(); }
    Simulator& sim() { return *sim_; }

  private:
    std::unique_ptr<Simulator> sim_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
};

struct Reply {
    unsigned status = 0;
    std::string body;
    http::response<http::string_body> raw;
    json::value json() const { return json::parse(body); }
};

class Client {
  public:
    explicit Client(std::uint16_t port, std::string host = {}) : port_(port), host_(std::move(host)) {}

    // target: origin form. Throws beast::system_error on transport errors.
    Reply get(const std::string& target, http::verb verb = http::verb::get) {
        for (int attempt = 0;; ++attempt) {
            try {
                return once(target, verb);
            } catch (const beast::system_error&) {
                stream_.reset();
                if (attempt >= 1) throw;  // a kept-alive connection may have been closed
            }
        }
    }

    // Follows an absolute URL the simulator handed out (range.next).
    Reply get_url(const std::string& url) {
        const auto pos = url.find('/', url.find("://") + 3);
        return get(url.substr(pos));
    }

    Reply once(const std::string& target, http::verb verb) {
        if (!stream_) {
            stream_ = std::make_unique<beast::tcp_stream>(ioc_);
            stream_->connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port_));
        }
        http::request<http::empty_body> req{verb, target, 11};
        req.set(http::field::host, host_.empty() ? "127.0.0.1:" + std::to_string(port_) : host_);
        req.keep_alive(true);
        http::write(*stream_, req);
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.body_limit(1ull << 30);
        http::read(*stream_, buffer, parser);
        Reply r;
        r.raw = parser.release();
        r.status = r.raw.result_int();
        r.body = r.raw.body();
        if (!r.raw.keep_alive()) stream_.reset();
        return r;
    }

  private:
    net::io_context ioc_;
    std::uint16_t port_;
    std::string host_;
    std::unique_ptr<beast::tcp_stream> stream_;
};

// Starts the marin-sim executable with `args`; its first line of output (the
// listening line, or the complaint of a bad command line) goes to
// first_line, its pid to pid_out. Returns -1 when it could not start.
inline int spawn_sim(std::vector<std::string> args, std::string* first_line, pid_t* pid_out) {
    int out[2];
    if (pipe(out) != 0) return -1;
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        dup2(out[1], STDERR_FILENO);
        close(out[0]);
        std::vector<char*> argv;
        std::string prog = "marin-sim";
        argv.push_back(prog.data());
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(MARIN_SIM_BINARY, argv.data());
        _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[512] = {};
    if (fgets(line, sizeof line, f) != nullptr) *first_line = line;
    fclose(f);
    *pid_out = pid;
    return 0;
}

inline std::string with_key(std::string target) {
    target += (target.find('?') == std::string::npos ? "?" : "&");
    target += "key=";
    target += test_key;
    return target;
}

}  // namespace marin::sim::test

#include <gtest/gtest.h>

namespace marin::sim::test {

// Reads a listing to its end by following range.next, checking on every page
// the pagination rules (API-NOTES.md "Pagination"). Returns the records.
inline std::vector<json::object> read_listing(Client& client, const std::string& target,
                                              std::size_t* pages_out = nullptr) {
    std::vector<json::object> records;
    Reply r = client.get(with_key(target));
    std::size_t page = 1;
    std::int64_t total = -1;
    std::int64_t limit = -1;
    for (;;) {
        EXPECT_EQ(r.status, 200u) << target << " page " << page << ": " << r.body.substr(0, 200);
        if (r.status != 200) break;
        const auto doc = r.json().as_object();
        const auto& data = doc.at("data").as_array();
        const auto& range = doc.at("range").as_object();
        const auto t = range.at("total").to_number<std::int64_t>();
        const auto l = range.at("limit").to_number<std::int64_t>();
        const auto nb = range.at("nb_pages").to_number<std::int64_t>();
        const auto p = range.at("page").to_number<std::int64_t>();
        const auto results = range.at("results").to_number<std::int64_t>();
        if (total < 0) {
            total = t;
            limit = l;
        }
        EXPECT_EQ(t, total) << target << ": total moved between pages";
        EXPECT_EQ(l, limit);
        EXPECT_GE(l, 1);
        EXPECT_LE(l, 300);
        EXPECT_EQ(p, static_cast<std::int64_t>(page));
        EXPECT_EQ(nb, (t + l - 1) / l) << target;
        EXPECT_EQ(results, static_cast<std::int64_t>(data.size()));
        const std::int64_t expected_results = std::max<std::int64_t>(0, std::min(l, t - (p - 1) * l));
        EXPECT_EQ(results, expected_results) << target << " page " << p;
        for (const auto& d : data) records.push_back(d.as_object());
        const auto& next = range.at("next");
        if (p < nb) {
            EXPECT_TRUE(next.is_string()) << target << " page " << p << " of " << nb << " has no next";
            if (!next.is_string()) break;
            const std::string url(next.as_string());
            EXPECT_EQ(url.rfind("http://", 0), 0u) << url;
            EXPECT_NE(url.find(std::string("key=") + test_key), std::string::npos) << url;
            EXPECT_NE(url.find("page=" + std::to_string(page + 1)), std::string::npos) << url;
            // The reference's next links mostly drop `limit` (marin-sim's
            // default next style): keep the page size, as API-NOTES asks.
            r = client.get_url(url.find("limit=") == std::string::npos ? url + "&limit=" + std::to_string(limit) : url);
            ++page;
        } else {
            EXPECT_TRUE(next.is_null()) << target << ": next on the last page";
            break;
        }
    }
    EXPECT_EQ(static_cast<std::int64_t>(records.size()), std::max<std::int64_t>(total, 0)) << target;
    if (pages_out) *pages_out = page;
    return records;
}

inline std::string str(const json::value& v) { return std::string(v.as_string()); }

}  // namespace marin::sim::test
