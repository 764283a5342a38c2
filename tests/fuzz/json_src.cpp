// Boost.JSON compiled into the fuzz targets, so that the sanitizers and
// libFuzzer's coverage see inside the JSON parser too (the normal builds link
// Debian's libboost_json instead).
#include <boost/json/src.hpp>
