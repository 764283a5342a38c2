// Sync: the API key masked in URLs and messages, however it is spelled.
#include <gtest/gtest.h>

#include "marin/sync/url_mask.hpp"

using marin::sync::mask_key;

TEST(MaskKey, ReplacesTheKeyParameter) {
    EXPECT_EQ(mask_key("https://api.example/clients?key=abc123&page=2", "abc123"),
              "https://api.example/clients?key=***&page=2");
    EXPECT_EQ(mask_key("/clients?page=2&key=abc123", "abc123"), "/clients?page=2&key=***");
}

TEST(MaskKey, ReplacesAnyKeyParameterValueEvenIfNotOurs) {
    EXPECT_EQ(mask_key("https://h/x?key=someone-else&a=1", "ours"), "https://h/x?key=***&a=1");
    EXPECT_EQ(mask_key("https://h/x?key=someone-else", ""), "https://h/x?key=***");
}

TEST(MaskKey, ReplacesTheLiteralKeyAnywhere) {
    EXPECT_EQ(mask_key("error: token abc123 refused (abc123)", "abc123"), "error: token *** refused (***)");
}

TEST(MaskKey, ReplacesThePercentEncodedKey) { EXPECT_EQ(mask_key("GET /x?k2=a%2Fb%3Dc", "a/b=c"), "GET /x?k2=***"); }

TEST(MaskKey, LeavesOtherParametersAlone) {
    EXPECT_EQ(mask_key("/x?monkey=1&apikey=2&page=3", "zzz"), "/x?monkey=1&apikey=2&page=3");
    EXPECT_EQ(mask_key("no key here", "abc"), "no key here");
    EXPECT_EQ(mask_key("", "abc"), "");
}
