// SPDX-License-Identifier: GPL-3.0-or-later
// Board report (flash, RAM, MACs; Cortex-M4F sizes measured with arm-none-eabi-gcc when it is
// installed) and the text/JSON forms of the export results. No torch.
#include "dw/core/export.h"
#include "export_ir.h"

#include "dw/core/atomic_file.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace dw {

std::optional<ExportFormat> exportFormatFromName(const std::string& name)
{
    if (name == "c")
        return ExportFormat::C;
    if (name == "c-int8")
        return ExportFormat::CInt8;
    if (name == "onnx")
        return ExportFormat::Onnx;
    return std::nullopt;
}

const char* exportFormatName(ExportFormat f)
{
    switch (f) {
    case ExportFormat::C:
        return "c";
    case ExportFormat::CInt8:
        return "c-int8";
    case ExportFormat::Onnx:
        return "onnx";
    }
    return "c";
}

namespace {
std::string kb(long long bytes)
{
    char b[64];
    std::snprintf(b, sizeof b, "%lld B (%.1f kB)", bytes, double(bytes) / 1024.0);
    return b;
}
std::string pct(double v)
{
    if (v < 0)
        return "n/a";
    char b[32];
    std::snprintf(b, sizeof b, "%.1f %%", 100.0 * v);
    return b;
}
} // namespace

std::string BoardReport::text() const
{
    std::ostringstream os;
    os << "parameters      " << params << "\n"
       << "MACs/inference  " << macs << "\n"
       << "flash           " << kb(flashBytes)
       << (armMeasured ? "  (Cortex-M4F text+data, measured)" : "  (weights + code estimate)")
       << "\n"
       << "  weights       " << kb(weightBytes) << "\n"
       << "RAM             " << kb(ramBytes)
       << (armMeasured ? "  (data+bss measured + stack estimate)" : "  (estimate)") << "\n"
       << "  scratch       " << kb(scratchBytes) << "\n"
       << "  features      " << kb(featureBytes) << "\n"
       << "  stack (est.)  " << kb(stackBytesEstimate) << "\n";
    if (armMeasured)
        os << "arm-none-eabi-size: text " << armText << ", data " << armData << ", bss " << armBss
           << "\n";
    if (!armNote.empty())
        os << "note: " << armNote << "\n";
    return os.str();
}

std::string BoardReport::toJson() const
{
    nlohmann::json j = {{"params", params},
                        {"macs", macs},
                        {"weight_bytes", weightBytes},
                        {"code_bytes_estimate", codeBytesEstimate},
                        {"flash_bytes", flashBytes},
                        {"scratch_bytes", scratchBytes},
                        {"feature_bytes", featureBytes},
                        {"stack_bytes_estimate", stackBytesEstimate},
                        {"ram_bytes", ramBytes},
                        {"arm_measured", armMeasured},
                        {"arm_text", armText},
                        {"arm_data", armData},
                        {"arm_bss", armBss},
                        {"arm_note", armNote}};
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ExportResult::text() const
{
    std::ostringstream os;
    os << "exported to " << outDir.string() << " (" << files.size() << " files)\n";
    if (testClips > 0)
        os << "test accuracy   LibTorch " << pct(torchTestAccuracy) << ", exported "
           << pct(exportedTestAccuracy) << " on " << testClips << " clips"
           << " (max probability difference " << maxProbabilityDifference << ")\n";
    else
        os << "test accuracy   n/a (no test clips)\n";
    os << board.text();
    return os.str();
}

std::string ExportResult::toJson() const
{
    nlohmann::json j = {{"out_dir", outDir.string()},
                        {"files", files},
                        {"test_clips", testClips},
                        {"torch_test_accuracy", torchTestAccuracy},
                        {"exported_test_accuracy", exportedTestAccuracy},
                        {"max_probability_difference", maxProbabilityDifference},
                        {"board", nlohmann::json::parse(board.toJson())}};
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string VerifyResult::text() const
{
    std::ostringstream os;
    char b[256];
    os << "test clips      " << clips << "\n";
    os << "LibTorch        accuracy " << pct(torchAccuracy) << "\n";
    std::snprintf(b, sizeof b, "C float32       accuracy %s, argmax agreement %s, max |dp| %.3g\n",
                  pct(floatC.accuracy).c_str(), pct(floatC.argmaxAgreement).c_str(),
                  floatC.maxProbabilityDifference);
    os << b;
    std::snprintf(b, sizeof b, "C int8          accuracy %s, argmax agreement %s, max |dp| %.3g\n",
                  pct(int8C.accuracy).c_str(), pct(int8C.argmaxAgreement).c_str(),
                  int8C.maxProbabilityDifference);
    os << b;
    return os.str();
}

std::string VerifyResult::toJson() const
{
    auto fig = [](const VerifyFigures& f) {
        return nlohmann::json{{"max_probability_difference", f.maxProbabilityDifference},
                              {"argmax_agreement", f.argmaxAgreement},
                              {"accuracy", f.accuracy}};
    };
    nlohmann::json j = {{"clips", clips},
                        {"torch_accuracy", torchAccuracy},
                        {"float", fig(floatC)},
                        {"int8", fig(int8C)}};
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::filesystem::path projectOfRun(const std::filesystem::path& runDir)
{
    std::error_code ec;
    auto abs = std::filesystem::absolute(runDir, ec);
    if (ec)
        return {};
    auto p = abs.lexically_normal();
    if (p.filename().empty())
        p = p.parent_path();
    auto proj = p.parent_path().parent_path();
    if (std::filesystem::exists(proj / "project.json", ec))
        return proj;
    return {};
}

namespace exporter {

namespace {
std::string findInPath(const std::string& exe)
{
    const char* path = std::getenv("PATH");
    std::stringstream ss(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(ss, dir, ':')) {
        auto p = std::filesystem::path(dir.empty() ? "." : dir) / exe;
        if (::access(p.c_str(), X_OK) == 0)
            return p.string();
    }
    return {};
}

std::string shellQuote(const std::string& s)
{
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}
} // namespace

// Compiles the export folder's board entry for a Cortex-M4F and reads the section sizes.
void measureArm(const std::filesystem::path& dir, const std::vector<std::string>& sources,
                BoardReport& r)
{
    const std::string gcc = findInPath("arm-none-eabi-gcc");
    const std::string size = findInPath("arm-none-eabi-size");
    if (gcc.empty() || size.empty()) {
        r.armNote = "arm-none-eabi-gcc not installed (apt-get install gcc-arm-none-eabi "
                    "libnewlib-arm-none-eabi); flash and RAM are estimates";
        return;
    }
    std::error_code ec;
    auto tmp = std::filesystem::temp_directory_path(ec) /
               ("dw-arm-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::hash<std::string>{}(dir.string())));
    std::filesystem::create_directories(tmp, ec);
    const auto elf = tmp / "board.elf";
    const auto log = tmp / "build.log";
    std::string cmd = shellQuote(gcc) +
                      " -std=c99 -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -Os"
                      " -ffunction-sections -fdata-sections -I" +
                      shellQuote(dir.string());
    for (const auto& s : sources)
        cmd += " " + shellQuote((dir / s).string());
    cmd += " --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -lm -o " +
           shellQuote(elf.string()) + " > " + shellQuote(log.string()) + " 2>&1";
    const int rc = std::system(cmd.c_str());
    if (rc != 0 || !std::filesystem::exists(elf, ec)) {
        std::ifstream in(log);
        std::string first;
        std::getline(in, first);
        r.armNote = "Cortex-M4 build failed: " + first;
        std::filesystem::remove_all(tmp, ec);
        return;
    }
    const auto out = tmp / "size.txt";
    const int rcSize = std::system((shellQuote(size) + " " + shellQuote(elf.string()) + " > " +
                                    shellQuote(out.string()) + " 2>&1")
                                       .c_str());
    (void)rcSize; // the parse below tells whether it worked
    std::ifstream in(out);
    std::string header;
    std::getline(in, header);
    long long text = 0, data = 0, bss = 0;
    if (in >> text >> data >> bss) {
        r.armMeasured = true;
        r.armText = text;
        r.armData = data;
        r.armBss = bss;
        r.armNote = "measured with " + gcc +
                    " -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -Os "
                    "(newlib-nano, --gc-sections; includes libm and startup code)";
    } else {
        r.armNote = "arm-none-eabi-size gave no sizes";
    }
    std::filesystem::remove_all(tmp, ec);
}

} // namespace exporter
} // namespace dw
