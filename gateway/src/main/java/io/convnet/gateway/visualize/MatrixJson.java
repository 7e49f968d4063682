package io.convnet.gateway.visualize;

import io.convnet.proto.Matrix;
import io.vertx.core.json.JsonArray;

/** JSON arrays of arrays of numbers -> {@link Matrix}, refusing anything that is not a rectangular matrix. */
final class MatrixJson {
  private MatrixJson() {}

  static Matrix parse(Object value, String what) {
    if (!(value instanceof JsonArray rows) || rows.isEmpty()) {
      throw QueryParams.invalid("'" + what + "' must be a matrix: a non-empty array of rows of numbers, e.g. "
          + "[[1, 2], [3, 4]]");
    }
    Matrix.Builder m = Matrix.newBuilder().setRows(rows.size());
    int cols = -1;
    for (int r = 0; r < rows.size(); r++) {
      if (!(rows.getValue(r) instanceof JsonArray row)) {
        throw QueryParams.invalid("'" + what + "' is not a matrix: row " + r + " is not an array of numbers");
      }
      if (cols < 0) {
        cols = row.size();
        if (cols == 0) {
          throw QueryParams.invalid("'" + what + "' is not a matrix: row 0 is empty");
        }
      } else if (row.size() != cols) {
        throw QueryParams.invalid("'" + what + "' is not a matrix: row " + r + " has " + row.size()
            + " values, row 0 has " + cols);
      }
      for (int c = 0; c < row.size(); c++) {
        if (!(row.getValue(c) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
          throw QueryParams.invalid("'" + what + "' is not a matrix of numbers: [" + r + "][" + c + "] is "
              + row.getValue(c));
        }
        m.addValues(n.doubleValue());
      }
    }
    return m.setCols(cols).build();
  }
}
