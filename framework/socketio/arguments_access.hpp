#pragma once
// How the socket layer moves arguments between packets and
// corio::arguments, whether they are JSON text (corio/arguments.hpp) or
// values: out of a decoded EVENT or ACK, and into an ACK to send.

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

    /// The name and the arguments of `p`, a decoded EVENT, moved out of it.
    static std::pair<std::string, arguments> take_event(protocol::socket_packet& p)
    {
        if (p.args_text)
            return {std::string(p.data->get_string()), from_text(std::move(*p.args_text))};
        auto& values = p.data->as_array();
        std::string event(values.front().as_string());
        // The arguments are the packet's array without its name: erased in
        // place, not copied (the array owns its default storage).
        values.erase(values.begin());
        return {std::move(event), arguments(std::move(values), std::move(p.attachments))};
    }

    /// The arguments of `p`, a decoded ACK, moved out of it.
    static arguments take_ack(protocol::socket_packet& p)
    {
        if (p.args_text)
            return from_text(std::move(*p.args_text));
        return arguments(std::move(p.data->as_array()), std::move(p.attachments));
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
