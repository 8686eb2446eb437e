// The one way this layer includes Boost.Asio and Beast, with the names it uses. Boost 1.74's
// asio/awaitable.hpp uses std::exchange without including <utility>, so <utility> comes first.
// Coroutines: every asynchronous operation here is awaited as asio::awaitable with
// redirect_error, so a failed I/O is an error_code, never an exception.
#pragma once

// clang-format off
#include <utility>  // first: see above
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

namespace infermark::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

}  // namespace infermark::server
