#pragma once

namespace corio::engine {

enum class transport_kind {
    polling,
    websocket,
};

} // namespace corio::engine
