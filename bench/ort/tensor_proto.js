'use strict';
// A small reader and writer for ONNX TensorProto files (the input_N.pb /
// output_N.pb of ONNX test data). Only the fields test data uses:
//   1 dims (int64, packed or not)   2 data_type (int32)   4 float_data (float)
//   5 int32_data (int32)            7 int64_data (int64)  8 name (string)
//   9 raw_data (bytes)             10 double_data (double) 11 uint64_data (uint64)
// Anything else (segments, external data, strings) is refused, not guessed.

// ONNX TensorProto.DataType -> [ONNX Runtime type name, typed array, bytes].
const DTYPES = {
  1: ['float32', Float32Array, 4],
  2: ['uint8', Uint8Array, 1],
  3: ['int8', Int8Array, 1],
  4: ['uint16', Uint16Array, 2],
  5: ['int16', Int16Array, 2],
  6: ['int32', Int32Array, 4],
  7: ['int64', BigInt64Array, 8],
  9: ['bool', Uint8Array, 1],
  10: ['float16', Uint16Array, 2],
  11: ['float64', Float64Array, 8],
  12: ['uint32', Uint32Array, 4],
  13: ['uint64', BigUint64Array, 8],
};

function dtypeByName(name) {
  for (const [code, d] of Object.entries(DTYPES)) if (d[0] === name) return Number(code);
  throw new Error(`tensor type ${name} is not supported`);
}

class Reader {
  constructor(buf) {
    this.buf = buf;
    this.pos = 0;
  }
  done() {
    return this.pos >= this.buf.length;
  }
  varint() { // as BigInt: int64 values need all 64 bits
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (this.pos >= this.buf.length || shift > 63n) throw new Error('bad varint');
      const b = this.buf[this.pos++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  }
  bytes(n) {
    if (this.pos + n > this.buf.length) throw new Error('truncated field');
    const s = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  skip(wire) {
    if (wire === 0) this.varint();
    else if (wire === 1) this.bytes(8);
    else if (wire === 2) this.bytes(Number(this.varint()));
    else if (wire === 5) this.bytes(4);
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

// A repeated scalar field, packed (wire 2) or one value per tag.
function repeated(r, wire, scalarWire, readOne, out) {
  if (wire === 2) {
    const sub = new Reader(r.bytes(Number(r.varint())));
    while (!sub.done()) out.push(readOne(sub));
  } else if (wire === scalarWire) {
    out.push(readOne(r));
  } else {
    throw new Error('repeated field with the wrong wire type');
  }
}

const asInt64 = (r) => BigInt.asIntN(64, r.varint());
const asUint64 = (r) => BigInt.asUintN(64, r.varint());
const asInt32 = (r) => Number(BigInt.asIntN(32, r.varint()));
const asFloat = (r) => Buffer.from(r.bytes(4)).readFloatLE(0);
const asDouble = (r) => Buffer.from(r.bytes(8)).readDoubleLE(0);

// Decodes a TensorProto: {name, type (ORT name), dims (Numbers), data (typed array)}.
function decode(buf) {
  const r = new Reader(buf);
  const dims = [];
  const lists = {4: [], 5: [], 7: [], 10: [], 11: []};
  let dataType = 0;
  let name = '';
  let raw = null;
  while (!r.done()) {
    const key = Number(r.varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1) repeated(r, wire, 0, asInt64, dims);
    else if (field === 2 && wire === 0) dataType = asInt32(r);
    else if (field === 4) repeated(r, wire, 5, asFloat, lists[4]);
    else if (field === 5) repeated(r, wire, 0, asInt32, lists[5]);
    else if (field === 7) repeated(r, wire, 0, asInt64, lists[7]);
    else if (field === 8 && wire === 2) name = r.bytes(Number(r.varint())).toString('utf8');
    else if (field === 9 && wire === 2) raw = r.bytes(Number(r.varint()));
    else if (field === 10) repeated(r, wire, 1, asDouble, lists[10]);
    else if (field === 11) repeated(r, wire, 0, asUint64, lists[11]);
    else if (field === 3 || field === 6 || field === 13 || field === 14)
      throw new Error(`TensorProto field ${field} (segment, strings or external data) is not supported`);
    else r.skip(wire);
  }
  const d = DTYPES[dataType];
  if (!d) throw new Error(`TensorProto data_type ${dataType} is not supported`);
  const [type, Typed, size] = d;
  const shape = dims.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  let data;
  if (raw) {
    if (raw.length !== count * size)
      throw new Error(`raw_data has ${raw.length} bytes, the shape needs ${count * size}`);
    data = new Typed(count);
    new Uint8Array(data.buffer).set(raw); // copy: raw may be unaligned
  } else {
    // Typed fields: float_data for float32; int32_data for the small integer
    // types, bool and float16 (as bit patterns); int64_data; double_data;
    // uint64_data for uint32/uint64.
    const src = dataType === 1 ? lists[4]
      : dataType === 7 ? lists[7]
        : dataType === 11 ? lists[10]
          : dataType === 12 || dataType === 13 ? lists[11] : lists[5];
    if (src.length !== count)
      throw new Error(`tensor holds ${src.length} values, the shape needs ${count}`);
    const big = Typed === BigInt64Array || Typed === BigUint64Array;
    data = Typed.from(src, (v) => (big ? BigInt(v) : Number(v)));
  }
  return {name, type, dims: shape, data};
}

function varint(n) {
  let v = BigInt.asUintN(64, BigInt(n));
  const out = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

function lengthDelimited(field, bytes) {
  return Buffer.concat([Buffer.from(varint((field << 3) | 2)), Buffer.from(varint(bytes.length)),
    Buffer.from(bytes)]);
}

// Encodes {name, type, dims, data} as a TensorProto with dims, data_type, name, raw_data.
function encode(t) {
  const parts = [];
  for (const d of t.dims) parts.push(Buffer.from([(1 << 3) | 0, ...varint(d)]));
  parts.push(Buffer.from([(2 << 3) | 0, ...varint(dtypeByName(t.type))]));
  if (t.name) parts.push(lengthDelimited(8, Buffer.from(t.name, 'utf8')));
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  parts.push(lengthDelimited(9, raw));
  return Buffer.concat(parts);
}

module.exports = {DTYPES, dtypeByName, decode, encode};
