# infermark_use_boost_asio(<target>): links Boost.Asio/Beast (header-only, Debian's libboost-dev)
# with the one configuration every library of this binary shares. Both src/server and
# src/sut/http are linked into one executable, and a macro that changes Asio's or Beast's types on
# one side only is an ODR violation (the linker keeps one of two different instantiations of the
# same template: a crash), so the macros are set here, PUBLIC, for both.
#
# BOOST_ASIO_HAS_CO_AWAIT under clang: Boost 1.74's Asio enables co_await for clang only when
# <experimental/coroutine> exists (libc++), never with libstdc++'s C++20 <coroutine>, which clang
# 14 supports (__cpp_impl_coroutine) and which Asio already selects for the coroutine library
# (BOOST_ASIO_HAS_STD_COROUTINE). The fuzz preset builds the server with clang: without this,
# asio::awaitable does not exist there.
find_package(Boost 1.74 REQUIRED)

function(infermark_use_boost_asio target)
  target_link_libraries(${target} PUBLIC Boost::headers)
  target_compile_definitions(${target} PUBLIC BOOST_ASIO_NO_DEPRECATED
                             $<$<CXX_COMPILER_ID:Clang>:BOOST_ASIO_HAS_CO_AWAIT=1>)
endfunction()
