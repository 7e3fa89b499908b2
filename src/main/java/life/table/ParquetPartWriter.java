package life.table;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import life.io.FileOutput;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Parquet part files through parquet-java, with our own {@link WriteSupport} that reads the batch's column arrays row
 * by row (no intermediate record objects). STRING is a required {@code binary} with the String (UTF8) logical type,
 * LONG a required {@code int64}, BOOLEAN a required {@code boolean}, DOUBLE an optional {@code double} whose NaN
 * ("not available": a device without a list price) is written as null, as the CSV part writes an empty cell, so
 * {@code avg(price_usd)} in DuckDB or pandas skips it; the message is named {@value #MESSAGE_NAME}.
 *
 * <p>Why this shape:
 * <ul>
 *   <li>An {@link OutputFile} over the caller's stream (a {@link FileOutput}: exclusive, synced, check-summed) and
 *       {@link PlainParquetConfiguration} keep the Hadoop {@code FileSystem} out; only the few Hadoop classes
 *       parquet-java itself needs are on the classpath (research/java-stack.md, section 5).
 *   <li>SNAPPY compression: fast, and read by every Parquet reader. Its snappy-java native library loads on
 *       Linux/x86-64 without flags (tested); ZSTD would give files about 12 % smaller for more CPU.
 *   <li>Row groups of {@value #ROW_GROUP_BYTES} bytes instead of the default 128 MB: parquet-java buffers a whole row
 *       group per open writer, and several writers may run in parallel under a 1 GiB heap.
 *   <li>Deterministic output: parquet-java writes no timestamp or random value into the footer (only its
 *       {@code created_by} version string and the {@code writer.model.name} key), so the same batch always gives
 *       byte-identical files.
 *   <li>Overwrite mode: the stream is already a new file; the caller writes it under a temporary name and renames it.
 * </ul>
 *
 * <p>Stateless and thread-safe: every {@link #open} builds its own {@link ParquetWriter}. A {@code null} string is rejected
 * before the file is created, since every column is {@code required}.
 */
public final class ParquetPartWriter implements PartWriter {
  /** Name of the Parquet message (root group) of every part file. */
  public static final String MESSAGE_NAME = "life_results";

  private static final long ROW_GROUP_BYTES = 32L * 1024 * 1024;
  private static final String MODEL_NAME = "life";

  /** Writes one batch as a complete file; a null string is rejected before the file is created. */
  @Override
  public void write(RowBatch batch, Path file) throws IOException {
    checkNoNullStrings(batch);
    PartWriter.super.write(batch, file);
  }

  @Override
  public Sink open(OutputStream out, RowSchema schema) throws IOException {
    BatchWriteSupport support = new BatchWriteSupport(schema, messageType(schema));
    ParquetWriter<Integer> w = new Builder(support)
        .withFile(new StreamOutputFile(out))
        .withConf(new PlainParquetConfiguration())
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withRowGroupSize(ROW_GROUP_BYTES)
        .build();
    return new Sink() {
      @Override
      public void append(RowBatch batch) throws IOException {
        checkNoNullStrings(batch);
        support.batch = batch;
        for (int r = 0; r < batch.size(); r++) {
          w.write(r);
        }
      }

      @Override
      public void close() throws IOException {
        w.close();
      }
    };
  }

  /** The Parquet schema for {@code schema}: one primitive per column, in order, optional only for doubles. */
  public static MessageType messageType(RowSchema schema) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (RowSchema.Column c : schema.columns()) {
      switch (c.type()) {
        case STRING -> b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c.name());
        case LONG -> b.required(PrimitiveTypeName.INT64).named(c.name());
        case DOUBLE -> b.optional(PrimitiveTypeName.DOUBLE).named(c.name());
        case BOOLEAN -> b.required(PrimitiveTypeName.BOOLEAN).named(c.name());
      }
    }
    return b.named(MESSAGE_NAME);
  }

  private static void checkNoNullStrings(RowBatch batch) {
    RowSchema s = batch.schema();
    for (int c = 0; c < s.size(); c++) {
      if (s.column(c).type() != ColumnType.STRING) {
        continue;
      }
      String[] v = batch.strings(c);
      for (int r = 0; r < batch.size(); r++) {
        if (v[r] == null) {
          throw new IllegalArgumentException(
              "null in required string column '" + s.column(c).name() + "' at row " + r);
        }
      }
    }
  }

  /** Writes one batch as a complete file on {@code out}; a null string is rejected before anything is written. */
  @Override
  public void write(RowBatch batch, OutputStream out) throws IOException {
    checkNoNullStrings(batch);
    PartWriter.super.write(batch, out);
  }

  /** A Parquet file on a stream opened by the caller; the position is the count of bytes written. */
  private static final class StreamOutputFile implements OutputFile {
    private final OutputStream out;

    StreamOutputFile(OutputStream out) {
      this.out = out;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) {
      return new PositionOutputStream() {
        private long pos;

        @Override
        public long getPos() {
          return pos;
        }

        @Override
        public void write(int b) throws IOException {
          out.write(b);
          pos++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
          pos += len;
        }

        @Override
        public void flush() throws IOException {
          out.flush();
        }

        @Override
        public void close() throws IOException {
          out.close();
        }
      };
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) {
      return create(blockSizeHint);
    }

    @Override
    public boolean supportsBlockSize() {
      return false;
    }

    @Override
    public long defaultBlockSize() {
      return 0;
    }
  }

  /** Builds writers whose records are row indexes into the batch being appended. */
  private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
    private final BatchWriteSupport support;

    // The no-argument super constructor, not Builder(OutputFile): resolving that overload against Builder(Path) makes
    // javac read Hadoop's Path class, whose annotation classes are not on the classpath (a warning, so -Werror fails).
    Builder(BatchWriteSupport support) {
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(ParquetConfiguration conf) {
      return support;
    }

    // Abstract in parquet-java 1.18 but deprecated there in favour of the ParquetConfiguration overload above, which
    // is the one build() calls when withConf(ParquetConfiguration) is used; overriding it cannot be avoided.
    @Override
    @SuppressWarnings("deprecation")
    protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
      return support;
    }
  }

  /** Writes row {@code r} of the current batch as one record, column by column. */
  private static final class BatchWriteSupport extends WriteSupport<Integer> {
    private final MessageType type;
    private final ColumnType[] types;
    private final String[] names;
    private RecordConsumer out;
    private RowBatch batch;

    BatchWriteSupport(RowSchema s, MessageType type) {
      this.type = type;
      this.types = new ColumnType[s.size()];
      this.names = new String[s.size()];
      for (int c = 0; c < s.size(); c++) {
        types[c] = s.column(c).type();
        names[c] = s.column(c).name();
      }
    }

    @Override
    public WriteContext init(ParquetConfiguration conf) {
      return new WriteContext(type, Map.of());
    }

    // Abstract in parquet-java 1.18 but deprecated there in favour of init(ParquetConfiguration); see Builder.
    @Override
    @SuppressWarnings("deprecation")
    public WriteContext init(Configuration conf) {
      return new WriteContext(type, Map.of());
    }

    @Override
    public String getName() {
      return MODEL_NAME;
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.out = recordConsumer;
    }

    @Override
    public void write(Integer row) {
      int r = row;
      out.startMessage();
      for (int c = 0; c < types.length; c++) {
        if (types[c] == ColumnType.DOUBLE && Double.isNaN(batch.doubles(c)[r])) {
          continue;
        }
        out.startField(names[c], c);
        switch (types[c]) {
          case STRING -> out.addBinary(Binary.fromString(batch.strings(c)[r]));
          case LONG -> out.addLong(batch.longs(c)[r]);
          case DOUBLE -> out.addDouble(batch.doubles(c)[r]);
          case BOOLEAN -> out.addBoolean(batch.booleans(c)[r]);
        }
        out.endField(names[c], c);
      }
      out.endMessage();
    }
  }
}
