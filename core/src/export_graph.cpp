// SPDX-License-Identifier: GPL-3.0-or-later
// Exporter graph: memory planning, the in-process C runtime model, calibration, int8.
#include "export_ir.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

namespace dw::exporter {

bool Node::isParamLayer() const
{
    return op == DW_OP_CONV1D || op == DW_OP_CONV2D || op == DW_OP_LINEAR || op == DW_OP_CONV_Q ||
           op == DW_OP_LINEAR_Q;
}

int Graph::addTensor(Shape s, bool isInt8)
{
    Tensor t;
    t.shape = s;
    t.int8 = isInt8;
    tensors.push_back(t);
    return int(tensors.size()) - 1;
}

long long Graph::macs() const
{
    long long n = 0;
    for (const auto& nd : nodes) {
        const Shape& in = tensors[size_t(nd.input)].shape;
        const Shape& out = tensors[size_t(nd.output)].shape;
        const long outCount = out.count();
        switch (nd.op) {
        case DW_OP_CONV1D:
        case DW_OP_CONV2D:
        case DW_OP_CONV_Q:
            n += (long long)outCount * in.c * nd.kh * nd.kw;
            break;
        case DW_OP_LINEAR:
        case DW_OP_LINEAR_Q:
            n += (long long)out.c * in.count();
            break;
        case DW_OP_DENDRITE:
        case DW_OP_DENDRITE_Q: {
            const long long k = (long long)nd.branches.size();
            n += (long long)outCount * (k + k * (k - 1) / 2);
            break;
        }
        default:
            break;
        }
    }
    return n;
}

long long Graph::paramCount() const
{
    long long n = 0;
    for (const auto& nd : nodes) {
        n += (long long)std::max(nd.weight.size(), nd.qweight.size());
        n += (long long)std::max(nd.bias.size(), nd.qbias.size());
        n += (long long)(nd.wtop.size() + nd.wdd.size());
    }
    return n;
}

long long Graph::constBytes() const
{
    long long b = 0;
    for (const auto& nd : nodes) {
        b += (long long)(nd.weight.size() + nd.bias.size() + nd.wtop.size() + nd.wdd.size()) * 4;
        b += (long long)nd.qweight.size();
        b += (long long)(nd.qbias.size() + nd.mult.size() + nd.shift.size()) * 4;
        b += (long long)(nd.branchScale.size() + nd.branchZp.size() + nd.branches.size()) * 4;
        b += (long long)sizeof(dw_layer);
    }
    b += (long long)sizeof(dw_model);
    for (const auto& l : labels)
        b += (long long)l.size() + 1 + (long long)sizeof(void*);
    // Test vector and its expected output.
    b += (long long)(frames * coeffs + classes) * 4;
    return b;
}

// ------------------------------------------------------------------ memory planning

Status planMemory(Graph& g)
{
    const int nT = int(g.tensors.size());
    // Buffers: a tensor written in place joins its input's buffer.
    std::vector<int> buf(size_t(nT), -1);
    int nBuf = 0;
    for (int t = 0; t < nT; ++t)
        buf[size_t(t)] = -1;
    buf[size_t(g.input)] = nBuf++;
    for (const auto& nd : g.nodes) {
        if (buf[size_t(nd.output)] != -1)
            continue;
        if (nd.inPlace) {
            if (g.tensors[size_t(nd.input)].bytes() != g.tensors[size_t(nd.output)].bytes())
                return makeError("internal: in-place op '" + nd.name + "' changes the size",
                                 "report this as a bug");
            buf[size_t(nd.output)] = buf[size_t(nd.input)];
        } else {
            buf[size_t(nd.output)] = nBuf++;
        }
    }
    for (int t = 0; t < nT; ++t)
        if (buf[size_t(t)] < 0)
            return makeError("internal: tensor " + std::to_string(t) + " is never written",
                             "report this as a bug");
    // Lifetimes in node steps: the graph input exists before step 0, the output until the end.
    const int steps = int(g.nodes.size());
    std::vector<int> first(size_t(nBuf), std::numeric_limits<int>::max()), last(size_t(nBuf), -2);
    std::vector<int> size(size_t(nBuf), 0);
    auto touch = [&](int t, int step) {
        const int b = buf[size_t(t)];
        first[size_t(b)] = std::min(first[size_t(b)], step);
        last[size_t(b)] = std::max(last[size_t(b)], step);
        size[size_t(b)] = std::max(size[size_t(b)], (g.tensors[size_t(t)].bytes() + 3) / 4 * 4);
    };
    touch(g.input, -1);
    for (int i = 0; i < steps; ++i) {
        const auto& nd = g.nodes[size_t(i)];
        touch(nd.input, i);
        for (int b : nd.branches)
            touch(b, i);
        touch(nd.output, i);
    }
    touch(g.output, steps);
    // Greedy first fit, largest buffers first (fewer holes).
    std::vector<int> order(static_cast<size_t>(nBuf));
    for (int b = 0; b < nBuf; ++b)
        order[size_t(b)] = b;
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return size[size_t(a)] > size[size_t(b)]; });
    std::vector<int> offset(size_t(nBuf), -1);
    int total = 0;
    std::vector<int> placed;
    for (int b : order) {
        std::vector<std::pair<int, int>> busy; // [start, end) of overlapping-lifetime buffers
        for (int o : placed)
            if (!(last[size_t(o)] < first[size_t(b)] || last[size_t(b)] < first[size_t(o)]))
                busy.emplace_back(offset[size_t(o)], offset[size_t(o)] + size[size_t(o)]);
        std::sort(busy.begin(), busy.end());
        int at = 0;
        for (const auto& [s, e] : busy) {
            if (at + size[size_t(b)] <= s)
                break;
            at = std::max(at, e);
        }
        offset[size_t(b)] = at;
        total = std::max(total, at + size[size_t(b)]);
        placed.push_back(b);
    }
    for (int t = 0; t < nT; ++t)
        g.tensors[size_t(t)].offset = offset[size_t(buf[size_t(t)])];
    g.scratchBytes = std::max(total, 4);
    return {};
}

// ------------------------------------------------------------------ runtime model

RuntimeModel::RuntimeModel(Graph& g) : m_g(g)
{
    m_layers.reserve(g.nodes.size());
    for (auto& nd : g.nodes) {
        const Tensor& in = g.tensors[size_t(nd.input)];
        const Tensor& out = g.tensors[size_t(nd.output)];
        dw_layer l;
        std::memset(&l, 0, sizeof l);
        l.op = nd.op;
        l.act = nd.act;
        l.in = in.offset;
        l.out = out.offset;
        l.in_c = in.shape.c;
        l.in_h = in.shape.h;
        l.in_w = in.shape.w;
        l.out_c = out.shape.c;
        l.out_h = out.shape.h;
        l.out_w = out.shape.w;
        l.k_h = nd.kh;
        l.k_w = nd.kw;
        l.s_h = nd.sh;
        l.s_w = nd.sw;
        l.p_h = nd.ph;
        l.p_w = nd.pw;
        if (!nd.qweight.empty())
            l.weight = nd.qweight.data();
        else if (!nd.weight.empty())
            l.weight = nd.weight.data();
        if (!nd.qbias.empty())
            l.bias = nd.qbias.data();
        else if (!nd.bias.empty())
            l.bias = nd.bias.data();
        l.mult = nd.mult.empty() ? nullptr : nd.mult.data();
        l.shift = nd.shift.empty() ? nullptr : nd.shift.data();
        l.in_scale = in.scale;
        l.in_zp = in.zp;
        l.out_scale = out.scale;
        l.out_zp = out.zp;
        l.dact = nd.dact;
        l.n_dendrites = int(nd.branches.size());
        nd.branchOffsets.clear();
        for (int b : nd.branches)
            nd.branchOffsets.push_back(g.tensors[size_t(b)].offset);
        l.branch = nd.branchOffsets.empty() ? nullptr : nd.branchOffsets.data();
        l.wtop = nd.wtop.empty() ? nullptr : nd.wtop.data();
        l.wdd = nd.wdd.empty() ? nullptr : nd.wdd.data();
        l.branch_scale = nd.branchScale.empty() ? nullptr : nd.branchScale.data();
        l.branch_zp = nd.branchZp.empty() ? nullptr : nd.branchZp.data();
        m_layers.push_back(l);
    }
    m_scratch.assign(size_t(g.scratchBytes + 3) / 4, 0.0f);
    m_model.layers = m_layers.data();
    m_model.n_layers = int(m_layers.size());
    m_model.input_offset = g.tensors[size_t(g.input)].offset;
    m_model.input_size = int(g.tensors[size_t(g.input)].shape.count());
    m_model.output_offset = g.tensors[size_t(g.output)].offset;
    m_model.output_size = int(g.tensors[size_t(g.output)].shape.count());
    m_model.scratch_bytes = g.scratchBytes;
}

Status RuntimeModel::run(std::span<const float> in, std::span<float> out, dw_layer_hook hook,
                         void* user)
{
    if (int(in.size()) != m_model.input_size || int(out.size()) != m_model.output_size)
        return makeError("runtime model expects " + std::to_string(m_model.input_size) +
                             " inputs and " + std::to_string(m_model.output_size) + " outputs",
                         "compute features with the run's feature settings");
    const int st =
        dw_model_run_hooked(&m_model, m_scratch.data(), in.data(), out.data(), hook, user);
    if (st != DW_OK)
        return makeError(std::string("C runtime failed: ") + dw_status_text(st),
                         "the exported graph is inconsistent; report this as a bug");
    return {};
}

// ------------------------------------------------------------------ calibration

namespace {
struct CalibState {
    Graph* g;
};

void calibHook(int index, const dw_layer* layer, const unsigned char* scratch, void* user)
{
    auto* st = static_cast<CalibState*>(user);
    Tensor& t = st->g->tensors[size_t(st->g->nodes[size_t(index)].output)];
    const float* v = reinterpret_cast<const float*>(scratch + layer->out);
    const long n = t.shape.count();
    for (long i = 0; i < n; ++i) {
        if (!t.seen) {
            t.minV = t.maxV = v[i];
            t.seen = true;
        }
        t.minV = std::min(t.minV, v[i]);
        t.maxV = std::max(t.maxV, v[i]);
    }
}
} // namespace

Status calibrate(Graph& g, const std::vector<std::span<const float>>& inputs)
{
    if (g.int8)
        return makeError("internal: calibrate needs the float graph", "report this as a bug");
    if (inputs.empty())
        return makeError("no training clips to calibrate the int8 model with",
                         "add clips to the training split, or export with --format c");
    for (auto& t : g.tensors)
        t.seen = false;
    RuntimeModel rm(g);
    CalibState st{&g};
    std::vector<float> out(size_t(g.classes));
    Tensor& in = g.tensors[size_t(g.input)];
    for (const auto& x : inputs) {
        for (float v : x) {
            if (!in.seen) {
                in.minV = in.maxV = v;
                in.seen = true;
            }
            in.minV = std::min(in.minV, v);
            in.maxV = std::max(in.maxV, v);
        }
        if (auto s = rm.run(x, out, calibHook, &st); !s)
            return s;
    }
    return {};
}

// ------------------------------------------------------------------ int8

namespace {

void chooseQuant(Tensor& t)
{
    // Asymmetric per-tensor range that always holds 0 (zero padding and ReLU must be exact).
    double lo = std::min(0.0, double(t.minV));
    double hi = std::max(0.0, double(t.maxV));
    if (hi - lo < 1e-8)
        hi = lo + 1e-8;
    double scale = (hi - lo) / 255.0;
    long zp = std::lround(-128.0 - lo / scale);
    zp = std::clamp(zp, -128L, 127L);
    t.scale = float(scale);
    t.zp = int(zp);
}

} // namespace

Result<Graph> quantize(const Graph& fg)
{
    if (fg.int8)
        return makeError("internal: graph is already int8", "report this as a bug");
    Graph g;
    g.frames = fg.frames;
    g.coeffs = fg.coeffs;
    g.classes = fg.classes;
    g.labels = fg.labels;
    g.description = fg.description;
    g.int8 = true;
    // Float tensor -> int8 tensor id in the new graph.
    std::map<int, int> qOf;
    g.input = g.addTensor(fg.tensors[size_t(fg.input)].shape);
    {
        Tensor t = fg.tensors[size_t(fg.input)];
        if (!t.seen)
            return makeError("internal: graph is not calibrated", "report this as a bug");
        const int qi = g.addTensor(t.shape, true);
        g.tensors[size_t(qi)].minV = t.minV;
        g.tensors[size_t(qi)].maxV = t.maxV;
        chooseQuant(g.tensors[size_t(qi)]);
        Node n;
        n.op = DW_OP_QUANTIZE;
        n.input = g.input;
        n.output = qi;
        n.name = "quantize";
        g.nodes.push_back(n);
        qOf[fg.input] = qi;
    }
    auto newQ = [&](int ft) {
        const Tensor& t = fg.tensors[size_t(ft)];
        const int id = g.addTensor(t.shape, true);
        Tensor& q = g.tensors[size_t(id)];
        q.minV = t.minV;
        q.maxV = t.maxV;
        q.seen = t.seen;
        chooseQuant(q);
        qOf[ft] = id;
        return id;
    };
    for (const Node& f : fg.nodes) {
        if (!qOf.count(f.input))
            return makeError("internal: node '" + f.name + "' reads an unknown tensor",
                             "report this as a bug");
        const int qin = qOf[f.input];
        Node n;
        n.name = f.name;
        n.input = qin;
        n.act = f.act;
        n.kh = f.kh;
        n.kw = f.kw;
        n.sh = f.sh;
        n.sw = f.sw;
        n.ph = f.ph;
        n.pw = f.pw;
        switch (f.op) {
        case DW_OP_CONV1D:
        case DW_OP_CONV2D:
        case DW_OP_LINEAR: {
            n.op = f.op == DW_OP_LINEAR ? DW_OP_LINEAR_Q : DW_OP_CONV_Q;
            n.output = newQ(f.output);
            const float sIn = g.tensors[size_t(qin)].scale;
            const float sOut = g.tensors[size_t(n.output)].scale;
            const int outC = fg.tensors[size_t(f.output)].shape.c;
            const size_t per = f.weight.size() / size_t(outC);
            n.qweight.resize(f.weight.size());
            n.wscale.resize(size_t(outC));
            n.qbias.resize(size_t(outC));
            n.mult.resize(size_t(outC));
            n.shift.resize(size_t(outC));
            for (int c = 0; c < outC; ++c) {
                float mx = 0;
                for (size_t i = 0; i < per; ++i)
                    mx = std::max(mx, std::fabs(f.weight[size_t(c) * per + i]));
                const float ws = mx > 0 ? mx / 127.0f : 1.0f;
                n.wscale[size_t(c)] = ws;
                for (size_t i = 0; i < per; ++i) {
                    long q = std::lround(f.weight[size_t(c) * per + i] / ws);
                    n.qweight[size_t(c) * per + i] = int8_t(std::clamp(q, -127L, 127L));
                }
                const double accScale = double(sIn) * double(ws);
                const double b = f.bias.empty() ? 0.0 : double(f.bias[size_t(c)]);
                const double qb = std::round(b / accScale);
                n.qbias[size_t(c)] = int32_t(std::clamp(qb, -2147483647.0, 2147483647.0));
                dw_quantize_multiplier(accScale / double(sOut), &n.mult[size_t(c)],
                                       &n.shift[size_t(c)]);
            }
            break;
        }
        case DW_OP_RELU:
        case DW_OP_MAXPOOL:
        case DW_OP_TRANSPOSE:
        case DW_OP_COPY: {
            // Same quantisation as the input: the op only moves or clamps codes.
            n.op = f.op == DW_OP_RELU      ? DW_OP_RELU_Q
                   : f.op == DW_OP_MAXPOOL ? DW_OP_MAXPOOL_Q
                   : f.op == DW_OP_COPY    ? DW_OP_COPY_Q
                                           : DW_OP_TRANSPOSE_Q;
            n.inPlace = f.inPlace;
            const int id = g.addTensor(fg.tensors[size_t(f.output)].shape, true);
            g.tensors[size_t(id)].scale = g.tensors[size_t(qin)].scale;
            g.tensors[size_t(id)].zp = g.tensors[size_t(qin)].zp;
            qOf[f.output] = id;
            n.output = id;
            break;
        }
        case DW_OP_ACT:
            n.op = DW_OP_ACT_Q;
            n.inPlace = f.inPlace;
            n.output = newQ(f.output);
            break;
        case DW_OP_DENDRITE: {
            n.op = DW_OP_DENDRITE_Q;
            n.inPlace = f.inPlace;
            n.dact = f.dact;
            n.wtop = f.wtop;
            n.wdd = f.wdd;
            for (int b : f.branches) {
                if (!qOf.count(b))
                    return makeError("internal: dendrite branch not computed",
                                     "report this as a bug");
                const int qb = qOf[b];
                n.branches.push_back(qb);
                n.branchScale.push_back(g.tensors[size_t(qb)].scale);
                n.branchZp.push_back(g.tensors[size_t(qb)].zp);
            }
            n.output = newQ(f.output);
            break;
        }
        case DW_OP_SOFTMAX: {
            // Logits back to float, then the float softmax.
            const int fl = g.addTensor(fg.tensors[size_t(f.input)].shape);
            Node d;
            d.op = DW_OP_DEQUANTIZE;
            d.input = qin;
            d.output = fl;
            d.name = "dequantize";
            g.nodes.push_back(d);
            n.op = DW_OP_SOFTMAX;
            n.input = fl;
            n.output = g.addTensor(fg.tensors[size_t(f.output)].shape);
            qOf[f.output] = n.output;
            break;
        }
        default:
            return makeError("cannot quantise layer '" + f.name + "'",
                             "export it with --format c (float)");
        }
        g.nodes.push_back(n);
    }
    if (!qOf.count(fg.output) || g.tensors[size_t(qOf[fg.output])].int8)
        return makeError("internal: the int8 graph must end in a float softmax",
                         "report this as a bug");
    g.output = qOf[fg.output];
    if (auto s = planMemory(g); !s)
        return s.error();
    return g;
}

} // namespace dw::exporter
