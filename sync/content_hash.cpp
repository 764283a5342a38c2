#include "marin/sync/content_hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace marin::sync {

std::string content_hash(const model::Row& row) {
    using Ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
    Ctx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("content_hash: OpenSSL SHA-256 unavailable");
    // Each value is framed by its length so that ("ab","c") and ("a","bc")
    // differ; a NULL is framed by a length no text can have.
    auto feed = [&](const void* data, std::size_t n) { EVP_DigestUpdate(ctx.get(), data, n); };
    for (const auto& v : row.values) {
        const std::uint64_t len = v ? v->size() : ~std::uint64_t{0};
        feed(&len, sizeof len);
        if (v) feed(v->data(), v->size());
    }
    feed(row.raw.data(), row.raw.size());
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx.get(), digest.data(), &n);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(32, '0');
    for (std::size_t i = 0; i < 16; ++i) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0xF];
    }
    return out;
}

}  // namespace marin::sync
