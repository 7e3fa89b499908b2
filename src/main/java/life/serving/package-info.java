/**
 * Serving under load, after the forecast stage: the requests a service sees ({@link life.serving.Workload}: arrivals at
 * a rate, all at once or from a fixed number of clients; prompt and output lengths fixed or drawn, seeded).
 */
package life.serving;
