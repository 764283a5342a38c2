#pragma once
// The faults the server injects into API answers after the simulator made
// them (private to sim/): error statuses, broken bodies, dropped and slow
// deliveries. Drawn per request from the connection's generator.
#include <random>

#include "marin/sim/simulator.hpp"

namespace marin::sim::detail {

// How the answer's body goes out.
enum class Delivery { normal, drop, slow };

// Replaces `res` by a fault's answer or breaks its body as `faults` asks,
// counting what it injects; says how to deliver it. `in_flight`: API
// requests in progress, this one included.
Delivery inject_transport_faults(Response& res, const FaultSettings& faults, int in_flight, std::mt19937_64& rng,
                                 std::uniform_real_distribution<double>& draw, Counters& counters);

}  // namespace marin::sim::detail
