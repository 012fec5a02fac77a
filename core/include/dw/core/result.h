// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Errors cross module boundaries as values (architecture rule 5): exceptions stay inside a module.
// Every Error says what was wrong (message) and what the user can do about it (hint).

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace dw {

struct Error {
    std::string message; // what was wrong, e.g. "clip 'a.wav' has 0 samples"
    std::string hint;    // what to do, e.g. "re-record it or delete it from the project"
    int code = 1;        // CLI exit code class (see `dendrite --help`)

    std::string text() const { return hint.empty() ? message : message + " (" + hint + ")"; }
};

inline Error makeError(std::string message, std::string hint = {}, int code = 1)
{
    return Error{std::move(message), std::move(hint), code};
}

template <typename T> class Result
{
public:
    Result(T value) : m_v(std::move(value)) {}
    Result(Error error) : m_v(std::move(error)) {}

    bool ok() const { return m_v.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<0>(m_v); }
    const T& value() const { return std::get<0>(m_v); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(m_v); }

private:
    std::variant<T, Error> m_v;
};

// Result<void>: success or an Error.
class Status
{
public:
    Status() = default;
    Status(Error error) : m_error(std::move(error)) {}
    static Status success() { return {}; }

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

} // namespace dw
