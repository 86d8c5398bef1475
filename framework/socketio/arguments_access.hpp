#pragma once
// What the socket layer does with arguments held as JSON text
// (corio/arguments.hpp): build them from a decoded packet, and put them into
// a packet to send, text or values.

#include <corio/arguments.hpp>
#include <corio/protocol/socket_packet.hpp>

#include <string>
#include <utility>

namespace corio::detail {

struct arguments_access {
    /// Arguments holding `text`, the args_text of a decoded packet (a checked
    /// JSON array without placeholders).
    static arguments from_text(std::string text)
    {
        arguments a;
        // "[]" is no arguments: values, as it parses to nothing.
        if (text.size() > 2)
            a.text_ = std::move(text);
        return a;
    }

    /// Moves `a` into `p`'s arguments: text into `p.args_text`, values into
    /// `p.data`, with their attachments. For an ACK only; `a` is left moved
    /// from.
    static void into_ack(arguments&& a, protocol::socket_packet& p)
    {
        if (!a.text_.empty()) {
            p.args_text.emplace(std::move(a.text_));
            a.text_.clear();
            return;
        }
        if (a.values_)
            p.data.emplace(std::move(*a.values_));
        else
            p.data.emplace(boost::json::array());
        p.attachments = std::move(a.attachments_);
    }

    static bool is_text(const arguments& a) noexcept { return !a.text_.empty(); }
};

} // namespace corio::detail
