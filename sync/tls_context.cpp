#include "marin/sync/tls_context.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace marin::sync {

namespace ssl = boost::asio::ssl;

boost::asio::ssl::context make_tls_context(const ApiSettings& settings) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
    boost::system::error_code ec;
    // Plain http:// never uses the context: parsing the system store's
    // hundred-odd certificates was most of a small run's start-up CPU.
    const bool plain_http = settings.base_url.rfind("http://", 0) == 0;
    if (settings.ca_file.empty()) {
        if (plain_http) return ctx;
        ctx.set_default_verify_paths(ec);
        if (ec) throw std::runtime_error(fmt::format("cannot load the system CA store: {}", ec.message()));
    } else {
        ctx.load_verify_file(settings.ca_file, ec);
        if (ec) {
            throw std::runtime_error(fmt::format("cannot load CA file '{}': {}", settings.ca_file, ec.message()));
        }
    }
    // Per-connection verification (peer + host name) is set by ApiClient.
    ctx.set_verify_mode(settings.tls_verify ? ssl::verify_peer : ssl::verify_none);
    return ctx;
}

}  // namespace marin::sync
