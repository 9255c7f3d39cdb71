import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/**
 * Runs mongo-java-server on one port with its persistent H2 MVStore backend (one file), until SIGTERM.
 * Started by deploy/native with Java's single-file source launcher: java -cp 'lib/*' MongoWireServer.java PORT FILE
 */
public class MongoWireServer {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: MongoWireServer <port> <data-file>");
      System.exit(2);
    }
    H2Backend backend = new H2Backend(args[1]);
    MongoServer server = new MongoServer(backend);
    server.bind("127.0.0.1", Integer.parseInt(args[0]));
    // shutdown() closes the MVStore cleanly, so the data file is consistent on the next start.
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    System.out.println("mongo-java-server listening on 127.0.0.1:" + args[0]);
    Thread.currentThread().join();
  }
}
