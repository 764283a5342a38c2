// HTTPS with a CA the test makes: trusted, untrusted, wrong host name.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "marin/sync/api_client.hpp"
#include "marin/sync/tls_context.hpp"
#include "test_server.hpp"
#include "test_support.hpp"

namespace asio = boost::asio;
using namespace marin::sync;
using namespace marin::sync::test;

namespace {

class TlsTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { pki = new TestPki(); }
    static void TearDownTestSuite() {
        delete pki;
        pki = nullptr;
    }
    static TestPki* pki;

    asio::io_context ioc;
    CapturedLog log;

    ApiSettings settings_for(const TestServer& server) {
        auto s = fast_settings(server.base_url());
        s.ca_file = pki->ca_cert;
        s.max_attempts = 3;
        return s;
    }

    ApiResponse get(const ApiSettings& s) {
        auto tls = make_tls_context(s);
        ApiClient client(ioc.get_executor(), s, tls, log.logger, nullptr);
        return run_sync(ioc, client.get("/clients", {}, "clients"));
    }

    ApiError get_error(const ApiSettings& s) {
        try {
            (void)get(s);
        } catch (const ApiError& e) {
            return e;
        }
        ADD_FAILURE() << "no ApiError";
        return ApiError(ApiError::Kind::protocol, 0, "", "none");
    }
};

TestPki* TlsTest::pki = nullptr;

}  // namespace

TEST_F(TlsTest, TrustedCertificateWorks) {
    auto ctx = server_tls(pki->server_cert, pki->server_key);
    TestServer server(scripted({{200, R"({"data": [1]})"}}), ctx.get());
    const auto r = get(settings_for(server));
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.body, R"({"data": [1]})");
    EXPECT_EQ(server.seen().at(0).target, fmt::format("/clients?key={}", test_key));
}

TEST_F(TlsTest, TrustedCertificateByHostName) {
    auto ctx = server_tls(pki->server_cert, pki->server_key);
    TestServer server(scripted({{200, "{}"}}), ctx.get());
    auto s = settings_for(server);
    s.base_url = fmt::format("https://localhost:{}", server.port());
    EXPECT_EQ(get(s).status, 200u);
}

TEST_F(TlsTest, KeepAliveOverTls) {
    auto ctx = server_tls(pki->server_cert, pki->server_key);
    TestServer server(scripted({{200, "{}"}}), ctx.get());
    const auto s = settings_for(server);
    auto tls = make_tls_context(s);
    ApiClient client(ioc.get_executor(), s, tls, log.logger, nullptr);
    for (int i = 0; i < 3; ++i) (void)run_sync(ioc, client.get("/clients", {}, "clients"));
    EXPECT_EQ(server.connections(), 1u);
}

TEST_F(TlsTest, UntrustedCertificateIsRefusedAtOnce) {
    auto ctx = server_tls(pki->rogue_cert, pki->rogue_key);
    TestServer server(scripted({{200, "{}"}}), ctx.get());
    const auto e = get_error(settings_for(server));
    EXPECT_EQ(e.kind(), ApiError::Kind::transport);
    const std::string what = e.what();
    EXPECT_NE(what.find("certificate"), std::string::npos) << what;
    EXPECT_EQ(what.find(test_key), std::string::npos) << what;
    EXPECT_EQ(server.requests(), 0u);
    EXPECT_EQ(server.connections(), 1u);  // not retried
}

TEST_F(TlsTest, SystemStoreDoesNotTrustTheTestCa) {
    auto ctx = server_tls(pki->server_cert, pki->server_key);
    TestServer server(scripted({{200, "{}"}}), ctx.get());
    auto s = settings_for(server);
    s.ca_file.clear();
    EXPECT_EQ(get_error(s).kind(), ApiError::Kind::transport);
    EXPECT_EQ(server.requests(), 0u);
}

TEST_F(TlsTest, WrongHostNameIsRefused) {
    auto ctx = server_tls(pki->wrong_host_cert, pki->wrong_host_key);
    TestServer server(scripted({{200, "{}"}}), ctx.get());
    const auto e = get_error(settings_for(server));
    EXPECT_EQ(e.kind(), ApiError::Kind::transport);
    const std::string what = e.what();
    EXPECT_NE(what.find("mismatch"), std::string::npos) << what;
    EXPECT_EQ(server.requests(), 0u);
}

TEST_F(TlsTest, VerificationOffAcceptsAnyCertificateWithAWarning) {
    auto ctx = server_tls(pki->rogue_cert, pki->rogue_key);
    TestServer server(scripted({{200, "{}"}}), ctx.get());
    auto s = settings_for(server);
    s.tls_verify = false;
    EXPECT_EQ(get(s).status, 200u);
    EXPECT_NE(log.text().find("verification is OFF"), std::string::npos);
}

TEST_F(TlsTest, MissingCaFileIsAClearError) {
    ApiSettings s;
    s.ca_file = "/nonexistent/ca.pem";
    try {
        (void)make_tls_context(s);
        ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos);
    }
}
