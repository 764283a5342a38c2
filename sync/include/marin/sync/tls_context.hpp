#pragma once

#include <boost/asio/ssl/context.hpp>

#include "marin/sync/api_settings.hpp"

namespace marin::sync {

// TLS 1.2 or newer, client side; trusts ApiSettings::ca_file, or the system
// store when it is empty. Peer verification itself is switched on per
// connection by ApiClient (verify_peer + host-name check + SNI) unless
// ApiSettings::tls_verify is false. For an http:// base URL the system store
// is not loaded (nothing would use it); an explicit ca_file still is.
// Throws std::runtime_error naming the CA
// file if it cannot be loaded.
boost::asio::ssl::context make_tls_context(const ApiSettings& settings);

}  // namespace marin::sync
