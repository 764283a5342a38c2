// The non-template parts of Asio (with its SSL layer) and Beast, compiled
// once for the whole project. Every other file is built with
// BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION (set
// in the top-level CMakeLists.txt), so it no longer compiles its own copy of
// them: the sanitizer build, where each file's machine code is what costs,
// is the faster for it.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
