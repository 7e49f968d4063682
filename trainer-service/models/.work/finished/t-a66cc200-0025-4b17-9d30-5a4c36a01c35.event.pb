
&t-a66cc200-0025-4b17-9d30-5a4c36a01c35†çπË§4trainer-service-2z§
°
ú'void io.convnet.job.TrainingRequest.<init>(java.lang.String, java.lang.String, java.nio.file.Path, int, int, boolean, io.convnet.train.OptimizerSpec, long, int, int, int, java.nio.file.Path, java.nio.file.Path, boolean, io.convnet.transfer.TransferOptions, io.convnet.data.DataRoot)'