#include "play/room_store.hpp"

#include <string>

namespace corio_game {

namespace {

class store_category_impl final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "corio_game.store"; }
    std::string message(int ev) const override
    {
        switch (static_cast<store_error>(ev)) {
        case store_error::unavailable:
            return "the room store cannot be reached";
        case store_error::bad_reply:
            return "the room store answered something unexpected";
        case store_error::bad_room:
            return "a stored room could not be read";
        }
        return "unknown room store error";
    }
};

} // namespace

const boost::system::error_category& store_category() noexcept
{
    static const store_category_impl category;
    return category;
}

boost::system::error_code make_error_code(store_error e) noexcept
{
    return {static_cast<int>(e), store_category()};
}

} // namespace corio_game
