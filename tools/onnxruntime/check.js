// SPDX-License-Identifier: GPL-3.0-or-later
// Runs an exported model in ONNX Runtime (CPU, one thread) and compares its probabilities with
// a reference written by the caller (LibTorch's).
//   node check.js MODEL.onnx INPUTS.txt REFERENCE.txt ROWS TOLERANCE
// INPUTS/REFERENCE: comma-separated floats, ROWS rows of the model's input / output.
// Prints "ort <version> max diff <d>"; exit 0 when d <= TOLERANCE, 3 when not, 1 on errors.
'use strict';
const fs = require('fs');

function numbers(path) {
    return fs.readFileSync(path, 'utf8').split(',').filter((s) => s.trim() !== '').map(Number);
}

async function main(argv) {
    if (argv.length < 5) {
        console.error('usage: node check.js MODEL.onnx INPUTS.txt REFERENCE.txt ROWS TOLERANCE');
        return 1;
    }
    const [model, inputs, reference, rowsText, tolText] = argv;
    const ort = require('onnxruntime-node');
    const session = await ort.InferenceSession.create(model, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionProviders: ['cpu'],
    });
    const rows = Number(rowsText);
    const x = Float32Array.from(numbers(inputs));
    const ref = numbers(reference);
    const feed = {};
    feed[session.inputNames[0]] = new ort.Tensor('float32', x, [rows, x.length / rows]);
    const out = await session.run(feed);
    const p = out[session.outputNames[0]].data;
    if (p.length !== ref.length) {
        console.error(`ONNX Runtime gave ${p.length} values, the reference has ${ref.length}`);
        return 1;
    }
    let worst = 0;
    for (let i = 0; i < p.length; ++i)
        worst = Math.max(worst, Math.abs(p[i] - ref[i]));
    const version = require('onnxruntime-node/package.json').version;
    console.log(`ort ${version} max diff ${worst}`);
    return worst <= Number(tolText) ? 0 : 3;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
        console.error(`error: ${e.message || e}`);
        process.exit(1);
    });
