// SPDX-License-Identifier: GPL-3.0-or-later
// ONNX (opset 13, IR 7) from a float exporter graph, with a hand-written protobuf encoder (no
// libonnx needed). Dendrites appear in clean form: branch Conv/Gemm nodes, then per-channel
// Mul/Add and the dendrite activation. Input "features" [N, frames*coeffs], output
// "probabilities" [N, classes].
#include "export_ir.h"

#include <cstring>
#include <map>

namespace dw::exporter {

namespace {

// ---- protobuf wire format
class Pb
{
public:
    void varint(uint64_t v)
    {
        while (v >= 0x80) {
            m_s += char((v & 0x7f) | 0x80);
            v >>= 7;
        }
        m_s += char(v);
    }
    void key(int field, int wire) { varint((uint64_t(field) << 3) | uint64_t(wire)); }
    void i64(int field, int64_t v)
    {
        key(field, 0);
        varint(uint64_t(v));
    }
    void bytes(int field, const std::string& b)
    {
        key(field, 2);
        varint(b.size());
        m_s += b;
    }
    void msg(int field, const Pb& m) { bytes(field, m.m_s); }
    void f32(int field, float v)
    {
        key(field, 5);
        char b[4];
        std::memcpy(b, &v, 4);
        m_s.append(b, 4);
    }
    const std::string& str() const { return m_s; }

private:
    std::string m_s;
};

Pb tensorProto(const std::string& name, const std::vector<int64_t>& dims,
               const std::vector<float>& v)
{
    Pb t;
    for (int64_t d : dims)
        t.i64(1, d);
    t.i64(2, 1); // FLOAT
    t.bytes(8, name);
    t.bytes(9, std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
    return t;
}

Pb int64Tensor(const std::string& name, const std::vector<int64_t>& v)
{
    Pb t;
    t.i64(1, int64_t(v.size()));
    t.i64(2, 7); // INT64
    t.bytes(8, name);
    t.bytes(9, std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(int64_t)));
    return t;
}

Pb attrInts(const std::string& name, const std::vector<int64_t>& v)
{
    Pb a;
    a.bytes(1, name);
    for (int64_t x : v)
        a.i64(8, x);
    a.i64(20, 7); // INTS
    return a;
}

Pb attrInt(const std::string& name, int64_t v)
{
    Pb a;
    a.bytes(1, name);
    a.i64(3, v);
    a.i64(20, 2); // INT
    return a;
}

Pb valueInfo(const std::string& name, int64_t features)
{
    Pb dimN, dimF, shape, tensor, type, vi;
    dimN.bytes(2, "N");
    dimF.i64(1, features);
    shape.msg(1, dimN);
    shape.msg(1, dimF);
    tensor.i64(1, 1); // FLOAT
    tensor.msg(2, shape);
    type.msg(1, tensor);
    vi.bytes(1, name);
    vi.msg(2, type);
    return vi;
}

class OnnxGraph
{
public:
    Pb graph;
    int counter = 0;

    std::string fresh(const std::string& base) { return base + "_" + std::to_string(counter++); }

    std::string init(const std::string& base, const std::vector<int64_t>& dims,
                     const std::vector<float>& v)
    {
        std::string n = fresh(base);
        graph.msg(5, tensorProto(n, dims, v));
        return n;
    }

    std::string node(const std::string& op, const std::vector<std::string>& in,
                     const std::vector<Pb>& attrs = {}, const std::string& outName = {})
    {
        Pb n;
        for (const auto& i : in)
            n.bytes(1, i);
        std::string out = outName.empty() ? fresh(op) : outName;
        n.bytes(2, out);
        n.bytes(3, fresh("n_" + op));
        n.bytes(4, op);
        for (const auto& a : attrs)
            n.msg(5, a);
        graph.msg(1, n);
        return out;
    }

    std::string reshape(const std::string& x, const std::vector<int64_t>& shape)
    {
        std::string s = fresh("shape");
        graph.msg(5, int64Tensor(s, shape));
        return node("Reshape", {x, s});
    }
};

// Per-channel vector shaped to broadcast over [N, C, ...] of the given rank.
std::vector<int64_t> channelDims(int C, int rank)
{
    std::vector<int64_t> d{C};
    for (int r = 2; r < rank; ++r)
        d.push_back(1);
    return d;
}

const char* actOp(int a)
{
    switch (a) {
    case DW_ACT_TANH:
        return "Tanh";
    case DW_ACT_RELU:
        return "Relu";
    default:
        return "Sigmoid";
    }
}

} // namespace

std::string onnxModel(const Graph& g, const std::string& producer)
{
    OnnxGraph o;
    o.graph.bytes(2, "dendrite_workbench");
    std::map<int, std::string> name; // tensor id -> value name
    std::map<int, int> rank;         // tensor id -> rank with the batch axis
    name[g.input] = "features";
    rank[g.input] = 2;
    const std::vector<float> none;
    for (const Node& n : g.nodes) {
        const Shape is = g.tensors[size_t(n.input)].shape;
        const Shape os = g.tensors[size_t(n.output)].shape;
        const std::string x = name.at(n.input);
        std::string y;
        int r = rank.at(n.input);
        auto finishAct = [&](std::string v) {
            return n.act == DW_ACT_RELU ? o.node("Relu", {v}) : v;
        };
        switch (n.op) {
        case DW_OP_COPY:
            y = x; // a reshape: every consumer reshapes to what it needs
            break;
        case DW_OP_TRANSPOSE: {
            std::string v = o.reshape(x, {-1, is.h, is.w});
            y = o.node("Transpose", {v}, {attrInts("perm", {0, 2, 1})});
            r = 3;
            break;
        }
        case DW_OP_CONV1D:
        case DW_OP_CONV2D: {
            const bool two = n.op == DW_OP_CONV2D;
            std::string v =
                two ? o.reshape(x, {-1, is.c, is.h, is.w}) : o.reshape(x, {-1, is.c, is.w});
            std::vector<int64_t> wd = two ? std::vector<int64_t>{os.c, is.c, n.kh, n.kw}
                                          : std::vector<int64_t>{os.c, is.c, n.kw};
            std::vector<std::string> in{v, o.init(n.name + ".weight", wd, n.weight)};
            if (!n.bias.empty())
                in.push_back(o.init(n.name + ".bias", {os.c}, n.bias));
            std::vector<Pb> at;
            if (two) {
                at = {attrInts("kernel_shape", {n.kh, n.kw}), attrInts("strides", {n.sh, n.sw}),
                      attrInts("pads", {n.ph, n.pw, n.ph, n.pw})};
            } else {
                at = {attrInts("kernel_shape", {n.kw}), attrInts("strides", {n.sw}),
                      attrInts("pads", {n.pw, n.pw})};
            }
            y = finishAct(o.node("Conv", in, at));
            r = two ? 4 : 3;
            break;
        }
        case DW_OP_LINEAR: {
            std::string v = o.reshape(x, {-1, is.count()});
            std::vector<std::string> in{v,
                                        o.init(n.name + ".weight", {os.c, is.count()}, n.weight)};
            in.push_back(n.bias.empty()
                             ? o.init(n.name + ".bias", {os.c}, std::vector<float>(size_t(os.c)))
                             : o.init(n.name + ".bias", {os.c}, n.bias));
            y = finishAct(o.node("Gemm", in, {attrInt("transB", 1)}));
            r = 2;
            break;
        }
        case DW_OP_RELU:
            y = o.node("Relu", {x});
            break;
        case DW_OP_ACT:
            y = o.node(actOp(n.act), {x});
            break;
        case DW_OP_MAXPOOL: {
            const bool two = n.kh > 1 || is.h > 1;
            std::string v =
                two ? o.reshape(x, {-1, is.c, is.h, is.w}) : o.reshape(x, {-1, is.c, is.w});
            // Ceil mode exactly when the graph's output extent is beyond the floor one.
            const int ceil = os.w > (is.w + 2 * n.pw - n.kw) / n.sw + 1 ||
                             (two && os.h > (is.h + 2 * n.ph - n.kh) / n.sh + 1);
            std::vector<Pb> at;
            if (two)
                at = {attrInts("kernel_shape", {n.kh, n.kw}), attrInts("strides", {n.sh, n.sw}),
                      attrInts("pads", {n.ph, n.pw, n.ph, n.pw}), attrInt("ceil_mode", ceil)};
            else
                at = {attrInts("kernel_shape", {n.kw}), attrInts("strides", {n.sw}),
                      attrInts("pads", {n.pw, n.pw}), attrInt("ceil_mode", ceil)};
            y = o.node("MaxPool", {v}, at);
            r = two ? 4 : 3;
            break;
        }
        case DW_OP_DENDRITE: {
            const int C = os.c;
            const auto cd = channelDims(C, r);
            std::vector<std::string> h;
            std::string acc = x;
            for (size_t k = 0; k < n.branches.size(); ++k) {
                std::string a = name.at(n.branches[k]);
                for (size_t j = 0; j < k; ++j) {
                    const size_t row = k * (k - 1) / 2 + j;
                    std::vector<float> w(n.wdd.begin() + long(row * size_t(C)),
                                         n.wdd.begin() + long((row + 1) * size_t(C)));
                    std::string wn = o.init(n.name + ".wdd", cd, w);
                    a = o.node("Add", {a, o.node("Mul", {wn, h[j]})});
                }
                h.push_back(o.node(actOp(n.dact), {a}));
                std::vector<float> t(n.wtop.begin() + long(k * size_t(C)),
                                     n.wtop.begin() + long((k + 1) * size_t(C)));
                std::string tn = o.init(n.name + ".wtop", cd, t);
                acc = o.node("Add", {acc, o.node("Mul", {tn, h.back()})});
            }
            y = finishAct(acc);
            break;
        }
        case DW_OP_SOFTMAX: {
            std::string v = o.reshape(x, {-1, is.count()});
            y = o.node("Softmax", {v}, {attrInt("axis", 1)}, "probabilities");
            r = 2;
            break;
        }
        default:
            y = x; // int8 ops never reach here: ONNX export uses the float graph
            break;
        }
        name[n.output] = y;
        rank[n.output] = r;
    }
    o.graph.msg(11, valueInfo("features", g.tensors[size_t(g.input)].shape.count()));
    o.graph.msg(12, valueInfo("probabilities", g.classes));

    Pb opset, model;
    opset.bytes(1, "");
    opset.i64(2, 13);
    model.i64(1, 7); // IR version 7 (ONNX 1.8+; Debian's 1.12 accepts it)
    model.bytes(2, producer);
    model.bytes(3, "0.1");
    model.msg(7, o.graph);
    model.msg(8, opset);
    return model.str();
}

} // namespace dw::exporter
