/** Public surface of ringd's process output handling: line splitting, recent-line rings, sinks. */
export { LineSplitter } from './lines.ts';
export { OutputRing, type OutputLine, type OutputLineInput, type OutputStreamName } from './ring.ts';
export { createSink, NullSink, type Sink, type SinkOptions, type LineMeta } from './sink.ts';
export { FileSink } from './file-sink.ts';
export { StreamSink, type StreamSinkStyle } from './stdout-sink.ts';
export { compileTimeFormat, strftime, type TimeFormatter } from './timefmt.ts';
export { rotationPeriod, timedSuffix, listTimedBackups } from './rotation.ts';
export { processPrefix, colourFor } from './format.ts';
