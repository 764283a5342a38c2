#pragma once
// The simulator's HTTP/1.1 server: Beast, C++20 coroutines, keep-alive, TLS
// optional, and the fault injection the reliability tests ask for. Request
// handling itself lives in Simulator (no I/O there).
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "marin/sim/simulator.hpp"

namespace marin::sim {

struct ServerConfig {
    std::string bind = "127.0.0.1";
    std::uint16_t port = 0;  // 0: the system picks a free port
    int threads = 1;
    std::string tls_cert_file;  // both set: serve HTTPS
    std::string tls_key_file;
};

class Server {
  public:
    // Binds and listens (throws std::system_error when it cannot); the port is
    // known once the constructor returns.
    Server(Simulator& simulator, ServerConfig config);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const;
    std::string base_url() const;  // e.g. http://127.0.0.1:8080

    // Serves until stop() (or SIGINT/SIGTERM when stop_on_signals).
    void run(bool stop_on_signals);
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace marin::sim
