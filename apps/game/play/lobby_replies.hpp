#pragma once
// The lobby's acks, shared by its source files (lobby.cpp, lobby_match.cpp):
// one wording for each refusal every operation may give.

#include "play/payloads.hpp"

#include <string>
#include <utility>

namespace corio_game::lobby_replies {

/// A refused request, as the reply of any event: `{"error": sentence}`.
struct refusal {
    std::string sentence;

    template <class Reply>
        requires requires(Reply r) { r.error = std::string(); }
    operator Reply() &&
    {
        Reply r;
        r.error = std::move(sentence);
        return r;
    }
};

inline basic_reply ok() { return {.ok = true}; }
inline refusal failure(std::string sentence) { return {std::move(sentence)}; }
inline refusal unavailable() { return failure("The game is unavailable right now; try again in a moment."); }
inline refusal busy() { return failure("The room is busy; try again."); }
inline refusal already_in(const std::string& code) { return failure("You are already in room " + code + "."); }

} // namespace corio_game::lobby_replies
