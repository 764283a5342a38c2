// StopRelay: a stop request reaches the run's listener once, whenever it subscribes.
#include <gtest/gtest.h>

#include "marin/run/stop_relay.hpp"

namespace marin::run {
namespace {

TEST(StopRelay, ListenerHearsTheFirstRequestOnce) {
    StopRelay relay;
    int heard = 0;
    relay.on_stop([&] { ++heard; });
    relay.request();
    relay.request();
    EXPECT_EQ(heard, 1);
}

TEST(StopRelay, ListenerThatComesLateHearsAnEarlierRequest) {
    StopRelay relay;
    relay.request();
    int heard = 0;
    relay.on_stop([&] { ++heard; });
    EXPECT_EQ(heard, 1);
}

TEST(StopRelay, ResetForgetsARequestAndRemovedListenerHearsNothing) {
    StopRelay relay;
    relay.request();
    relay.reset();
    int heard = 0;
    relay.on_stop([&] { ++heard; });
    EXPECT_EQ(heard, 0);
    relay.on_stop({});
    relay.request();
    EXPECT_EQ(heard, 0);
}

}  // namespace
}  // namespace marin::run
