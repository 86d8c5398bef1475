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

/// A bucket's bound in plain decimals ("0.0001", not the shorter "1e-04"),
/// as Prometheus' own clients write them.
std::string format_bound(double value)
{
    if (!std::isfinite(value))
        return format(value);
    char buf[400]; // room for any finite double in fixed notation
    auto end = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed).ptr;
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

void metrics_writer::histogram(std::string_view name, std::string_view help, labels l, const histogram_snapshot& h)
{
    if (h.counts.size() != h.bounds.size() + 1)
        throw std::logic_error("corio: histogram " + std::string(name) + " needs one count more than bounds");
    auto& f = family_for(name, "histogram", help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < h.bounds.size(); ++i) {
        cumulative += h.counts[i];
        sample(f, "_bucket", l, format_bound(h.bounds[i]), format(cumulative));
    }
    cumulative += h.counts.back();
    sample(f, "_bucket", l, "+Inf", format(cumulative));
    sample(f, "_sum", l, {}, format(h.sum));
    sample(f, "_count", l, {}, format(cumulative));
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
    sample(f, {}, l, {}, value);
}

void metrics_writer::sample(family& f, std::string_view suffix, labels l, std::string_view le, std::string_view value)
{
    auto& out = f.samples;
    out += f.name;
    out += suffix;
    if (l.size() != 0 || !le.empty()) {
        out += '{';
        bool first = true;
        auto label = [&](std::string_view name, std::string_view text) {
            if (!first)
                out += ',';
            first = false;
            out += name;
            out += "=\"";
            append_escaped(out, text, true);
            out += '"';
        };
        for (auto& [name, text] : l)
            label(name, text);
        if (!le.empty())
            label("le", le);
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
