// SPDX-License-Identifier: GPL-3.0-or-later
// Batch-1 inference time of an ONNX model in ONNX Runtime (CPU, one thread), for
// bench/run_all.sh: warm-up, then rounds of runs; prints the median round's time per run.
//   node bench.js MODEL.onnx [ITERATIONS]
// Prints "ort_us=<cpu us per run> ort_wall_us=<wall us per run>" (CPU time of this process,
// as bench_inference measures its thread's CPU time).
'use strict';

async function main(argv) {
    if (argv.length < 1) {
        console.error('usage: node bench.js MODEL.onnx [ITERATIONS]');
        return 1;
    }
    const ort = require('onnxruntime-node');
    const iterations = Number(argv[1] || 3000);
    const session = await ort.InferenceSession.create(argv[0], {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionProviders: ['cpu'],
    });
    const name = session.inputNames[0];
    const meta = session.inputMetadata ? session.inputMetadata[0] : null;
    const dims = meta && meta.shape ? meta.shape.map((d) => (typeof d === 'number' ? d : 1)) : null;
    if (!dims) {
        console.error('error: this onnxruntime-node does not report input shapes');
        return 1;
    }
    const count = dims.reduce((a, b) => a * b, 1);
    const x = new Float32Array(count);
    for (let i = 0; i < count; ++i)
        x[i] = Math.sin(i * 0.37);
    const feed = {};
    feed[name] = new ort.Tensor('float32', x, dims);
    for (let i = 0; i < 300; ++i)
        await session.run(feed);
    const rounds = 7, per = Math.max(1, Math.floor(iterations / rounds));
    const cpu = [], wall = [];
    for (let r = 0; r < rounds; ++r) {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < per; ++i)
            await session.run(feed);
        const t1 = process.hrtime.bigint();
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / per);
        wall.push(Number(t1 - t0) / 1000 / per);
    }
    const median = (v) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
    console.log(`onnxruntime-node ${require('onnxruntime-node/package.json').version}, ` +
                `input [${dims.join(', ')}], ${rounds} rounds x ${per} runs`);
    console.log(`ort_us=${median(cpu).toFixed(3)} ort_wall_us=${median(wall).toFixed(3)}`);
    return 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
        console.error(`error: ${e.message || e}`);
        process.exit(1);
    });
