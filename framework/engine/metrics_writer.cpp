#include <corio/engine/metrics.hpp>

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace corio::engine {

namespace {

/// Backslash and line feed escaped, as HELP text needs; label values
/// (`label_value`) need double quotes escaped too.
void append_escaped(std::string& out, std::string_view text, bool label_value)
{
    for (char c : text) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '"' && label_value)
            out += "\\\"";
        else
            out += c;
    }
}

std::string format(std::uint64_t value)
{
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    return {buf, end};
}

std::string format(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    char buf[32];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    return {buf, end};
}

} // namespace

void metrics_writer::counter(std::string_view name, std::string_view help, labels l, std::uint64_t value)
{
    sample(family_for(name, "counter", help), l, format(value));
}

void metrics_writer::gauge(std::string_view name, std::string_view help, labels l, double value)
{
    sample(family_for(name, "gauge", help), l, format(value));
}

metrics_writer::family& metrics_writer::family_for(std::string_view name, std::string_view type, std::string_view help)
{
    auto [it, added] = index_.try_emplace(std::string(name), families_.size());
    if (added) {
        families_.push_back({std::string(name), type, std::string(help), {}});
        return families_.back();
    }
    auto& f = families_[it->second];
    if (f.type != type)
        throw std::logic_error("corio: metric " + f.name + " written as both " + std::string(f.type) + " and " +
                               std::string(type));
    return f;
}

void metrics_writer::sample(family& f, labels l, std::string_view value)
{
    auto& out = f.samples;
    out += f.name;
    if (l.size() != 0) {
        out += '{';
        bool first = true;
        for (auto& [name, text] : l) {
            if (!first)
                out += ',';
            first = false;
            out += name;
            out += "=\"";
            append_escaped(out, text, true);
            out += '"';
        }
        out += '}';
    }
    out += ' ';
    out += value;
    out += '\n';
}

std::string snake_case(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        if (c == ' ')
            c = '_';
    return out;
}

std::string metrics_writer::text() const
{
    std::string out;
    for (auto& f : families_) {
        out += "# HELP ";
        out += f.name;
        out += ' ';
        append_escaped(out, f.help, false);
        out += "\n# TYPE ";
        out += f.name;
        out += ' ';
        out += f.type;
        out += '\n';
        out += f.samples;
    }
    return out;
}

} // namespace corio::engine
